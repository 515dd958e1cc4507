using Flagger.Modules.Analysis.Providers;
using Flagger.Modules.Analysis.Templates;

namespace Flagger.Modules.Tests.Analysis.Templates;

public class GoTemplateTests
{
    private static readonly MetricTemplateModel Model = new(
        Name: "podinfo", Namespace: "test", Target: "podinfo", Service: "podinfo-svc", Ingress: "podinfo-ing",
        Route: "podinfo-route", Interval: "1m",
        Variables: new Dictionary<string, string> { ["reporter"] = "destination", ["direction"] = "inbound" });

    private static string Render(string query) => Model.Render(query);

    private static string Collapsed(string query) => PrometheusMetricProvider.TrimQuery(Render(query));

    [Theory]
    [InlineData("{{ name }}", "podinfo")]
    [InlineData("{{ namespace }}", "test")]
    [InlineData("{{ target }}", "podinfo")]
    [InlineData("{{ service }}", "podinfo-svc")]
    [InlineData("{{ ingress }}", "podinfo-ing")]
    [InlineData("{{ route }}", "podinfo-route")]
    [InlineData("{{ interval }}", "1m")]
    [InlineData("{{variables.reporter}}", "destination")]
    [InlineData("{{ variables.direction }}", "inbound")]
    [InlineData("{{target}}", "podinfo")]
    public void Every_model_function_renders_its_value(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Fact]
    public void A_missing_variable_is_an_error_naming_the_key()
    {
        var e = Assert.Throws<TemplateException>(() => Render("rate(x{reporter=\"{{ variables.missing }}\"}[1m])"));
        Assert.StartsWith("template excution failed: template: tmpl:1:", e.Message, StringComparison.Ordinal);
        Assert.Contains("<variables.missing>", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("map has no entry for key \"missing\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_function_fails_to_parse_with_its_name() =>
        Assert.Equal("template parsing failed: template: tmpl:1: function \"canary\" not defined",
            Assert.Throws<TemplateException>(() => Render("x{{ canary }}")).Message);

    [Theory]
    [InlineData("{{ range variables }}x{{ end }}", "range")]
    [InlineData("{{ with name }}{{ . }}{{ end }}", "with")]
    [InlineData("{{ define \"x\" }}y{{ end }}", "define")]
    [InlineData("{{ template \"x\" }}", "template")]
    public void Unsupported_actions_fail_with_the_offending_action(string template, string keyword)
    {
        var e = Assert.Throws<TemplateException>(() => Render("a\n" + template));
        Assert.StartsWith("template parsing failed: template: tmpl:2: unsupported action {{", e.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{keyword}\" is not supported", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ name ")]
    [InlineData("{{ printf \"%s }}")]
    [InlineData("{{ if name }}x")]
    [InlineData("{{ end }}")]
    [InlineData("{{ $undefined }}")]
    [InlineData("{{ name | }}")]
    public void Malformed_templates_fail_to_parse_instead_of_rendering_garbage(string template) =>
        Assert.StartsWith("template parsing failed: template: tmpl:1:",
            Assert.Throws<TemplateException>(() => Render(template)).Message, StringComparison.Ordinal);

    [Fact]
    public void Printf_formats_strings_numbers_and_quotes() =>
        Assert.Equal("kube(ew)?_test__podinfo-ing_canary__.*__podinfo-svc_canary 42 3.50 \"q\" 100% 1e+06",
            Render("{{ printf \"kube(ew)?_%s__%s_canary__.*__%s_canary\" namespace ingress service }} {{ printf \"%d %.2f %q 100%%\" 42 3.5 \"q\" }} {{ printf \"%v\" 1000000.0 }}"));

    [Fact]
    public void Printf_reports_wrong_types_missing_and_extra_arguments_as_go_does() =>
        Assert.Equal("%!d(string=test) %!s(MISSING)|x%!(EXTRA string=y)",
            Render("{{ printf \"%d %s\" namespace }}|{{ printf \"x\" \"y\" }}"));

    [Fact]
    public void Variables_can_be_declared_reassigned_and_used_with_fields()
    {
        Assert.Equal("podinfo-canary", Render("{{ $t := printf \"%s-canary\" target }}{{ $t }}"));
        Assert.Equal("b", Render("{{ $v := \"a\" }}{{ $v = \"b\" }}{{ $v }}"));
        Assert.Equal("inbound", Render("{{ $vars := variables }}{{ $vars.direction }}"));
    }

    [Fact]
    public void Pipes_pass_the_value_as_the_last_argument() =>
        Assert.Equal("ns=test target=podinfo", Render("{{ target | printf \"ns=%s target=%s\" namespace }}"));

    [Fact]
    public void Parenthesised_pipelines_are_arguments() =>
        Assert.Equal("test/podinfo-canary", Render("{{ printf \"%s/%s\" namespace (printf \"%s-canary\" target) }}"));

    [Theory]
    [InlineData("{{ if eq namespace \"test\" }}yes{{ else }}no{{ end }}", "yes")]
    [InlineData("{{ if eq namespace \"prod\" }}yes{{ else }}no{{ end }}", "no")]
    [InlineData("{{ if ne target \"podinfo\" }}a{{ else if eq service \"podinfo-svc\" }}b{{ else }}c{{ end }}", "b")]
    [InlineData("{{ if variables.reporter }}r={{ variables.reporter }}{{ end }}", "r=destination")]
    [InlineData("{{ if and (eq name \"podinfo\") (not (eq interval \"5m\")) }}ok{{ end }}", "ok")]
    [InlineData("{{ if or \"\" \"x\" }}{{ len namespace }}{{ end }}", "4")]
    [InlineData("{{ if index variables \"direction\" }}{{ index variables \"direction\" }}{{ end }}", "inbound")]
    [InlineData("{{ if lt 1 2 }}lt{{ end }}{{ if ge 2.5 2.5 }}ge{{ end }}", "ltge")]
    public void If_else_and_comparison_functions_behave_as_in_go(string template, string expected) =>
        Assert.Equal(expected, Render(template));

    [Fact]
    public void Trim_markers_remove_adjacent_whitespace_only_on_their_side() =>
        Assert.Equal("a [test]  b", Render("a  \n {{- \" [\" -}} \n {{ namespace }}\n\t{{- \"]\" }}  b"));

    [Fact]
    public void String_literals_support_go_escapes_and_raw_strings() =>
        Assert.Equal("tab\there \"q\" \\ A é\nraw\\n{{", Render("{{ \"tab\\there \\\"q\\\" \\\\ \\x41 \\u00e9\\n\" }}{{ `raw\\n{{` }}"));

    [Fact]
    public void Comments_and_literals_of_every_kind_render() =>
        Assert.Equal("x 42 2.5 true", Render("{{/* a comment */}}x {{ 42 }} {{ 2.5 }} {{ true }}"));

    [Fact]
    public void A_brace_inside_a_string_does_not_close_the_action() =>
        Assert.Equal("a}}b", Render("{{ \"a}}b\" }}"));

    [Fact]
    public void Model_functions_take_no_arguments() =>
        Assert.Contains("wrong number of args for namespace: want 0 got 1",
            Assert.Throws<TemplateException>(() => Render("{{ namespace \"x\" }}")).Message, StringComparison.Ordinal);

    [Fact]
    public void An_empty_interval_renders_empty_as_upstream() =>
        Assert.Equal("[]", (Model with { Interval = "" }).Render("[{{ interval }}]"));

    // ---- every template of upstream's docs and e2e (own copies of the query strings) ----

    [Fact]
    public void Istio_e2e_latency_template_with_reporter_variable() =>
        Assert.Equal(
            "histogram_quantile(0.99, sum( rate( istio_request_duration_milliseconds_bucket{ reporter=\"destination\", destination_workload_namespace=\"test\", destination_workload=~\"podinfo\" }[1m] ) ) by (le) )",
            Collapsed("""
                histogram_quantile(0.99,
                  sum(
                    rate(
                      istio_request_duration_milliseconds_bucket{
                        reporter="{{ variables.reporter }}",
                        destination_workload_namespace="{{ namespace }}",
                        destination_workload=~"{{ target }}"
                      }[{{ interval }}]
                    )
                  ) by (le)
                )
                """));

    [Fact]
    public void Linkerd_success_rate_template_with_direction_variable() =>
        Assert.Equal(
            "sum( rate( response_total{ namespace=\"test\", deployment=~\"podinfo\", classification!=\"failure\", direction=\"inbound\" }[1m] ) ) / sum( rate( response_total{ namespace=\"test\", deployment=~\"podinfo\", direction=\"inbound\" }[1m] ) ) * 100 ",
            Collapsed("sum(\n  rate(\n    response_total{\n      namespace=\"{{ namespace }}\",\n      deployment=~\"{{ target }}\",\n      classification!=\"failure\",\n      direction=\"{{ variables.direction }}\"\n    }[{{ interval }}]\n  )\n) \n/ \nsum(\n  rate(\n    response_total{\n      namespace=\"{{ namespace }}\",\n      deployment=~\"{{ target }}\",\n      direction=\"{{ variables.direction }}\"\n    }[{{ interval }}]\n  )\n) \n* 100\n"));

    [Fact]
    public void Linkerd_latency_template() =>
        Assert.Equal(
            "histogram_quantile( 0.99, sum( rate( response_latency_ms_bucket{ namespace=\"test\", deployment=~\"podinfo\", direction=\"inbound\" }[1m] ) ) by (le) ) ",
            Collapsed("histogram_quantile(\n    0.99,\n    sum(\n        rate(\n            response_latency_ms_bucket{\n                namespace=\"{{ namespace }}\",\n                deployment=~\"{{ target }}\",\n                direction=\"{{ variables.direction }}\"\n            }[{{ interval }}]\n        )\n    ) by (le)\n)\n"));

    [Fact]
    public void Gatewayapi_error_rate_template() =>
        Assert.Equal(
            "100 - sum( rate( istio_requests_total{ reporter=\"source\", destination_workload_namespace=~\"test\", destination_workload=~\"podinfo\", response_code!~\"5.*\" }[1m] ) ) / sum( rate( istio_requests_total{ reporter=\"source\", destination_workload_namespace=~\"test\", destination_workload=~\"podinfo\", }[1m] ) ) * 100 ",
            Collapsed("100 - sum(\n  rate(\n    istio_requests_total{\n      reporter=\"source\",\n      destination_workload_namespace=~\"{{ namespace }}\",\n      destination_workload=~\"{{ target }}\",\n      response_code!~\"5.*\"\n    }[{{ interval }}]\n  )\n)\n/\nsum(\n  rate(\n    istio_requests_total{\n      reporter=\"source\",\n      destination_workload_namespace=~\"{{ namespace }}\",\n      destination_workload=~\"{{ target }}\",\n    }[{{ interval }}]\n  )\n)\n* 100\n"));

    [Fact]
    public void Gatewayapi_latency_template_in_seconds() =>
        Assert.Equal(
            "histogram_quantile(0.99, sum( rate( istio_request_duration_milliseconds_bucket{ reporter=\"source\", destination_workload_namespace=~\"test\", destination_workload=~\"podinfo\", }[1m] ) ) by (le) )/1000 ",
            Collapsed("histogram_quantile(0.99,\n  sum(\n    rate(\n      istio_request_duration_milliseconds_bucket{\n        reporter=\"source\",\n        destination_workload_namespace=~\"{{ namespace }}\",\n        destination_workload=~\"{{ target }}\",\n      }[{{ interval }}]\n    )\n  ) by (le)\n)/1000\n"));

    [Fact]
    public void Nginx_and_blue_green_templates_with_interval_inside_a_label() =>
        Assert.Equal(
            "100 - sum( rate( http_request_duration_seconds_count{ kubernetes_namespace=\"test\", kubernetes_pod_name=~\"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\" status!=\"1m\" }[1m] ) ) / sum( rate( http_request_duration_seconds_count{ kubernetes_namespace=\"test\", kubernetes_pod_name=~\"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\" }[1m] ) ) * 100 ",
            Collapsed("100 - sum(\n    rate(\n        http_request_duration_seconds_count{\n          kubernetes_namespace=\"{{ namespace }}\",\n          kubernetes_pod_name=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\"\n          status!=\"{{ interval }}\"\n        }[1m]\n    )\n)\n/\nsum(\n    rate(\n        http_request_duration_seconds_count{\n          kubernetes_namespace=\"{{ namespace }}\",\n          kubernetes_pod_name=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\"\n        }[{{ interval }}]\n    )\n) * 100\n"));

    [Fact]
    public void Skipper_latency_template_with_printf_inside_a_label() =>
        Assert.Equal(
            "histogram_quantile(0.99, sum( rate( skipper_serve_route_duration_seconds_bucket{ route=~\"kube(ew)?_test__podinfo-ing_canary__.*__podinfo-svc_canary(_[0-9]+)?\", le=\"+Inf\" }[1m] ) ) by (le) ) ",
            Collapsed("histogram_quantile(0.99,\n  sum(\n    rate(\n      skipper_serve_route_duration_seconds_bucket{\n        route=~\"{{ printf \"kube(ew)?_%s__%s_canary__.*__%s_canary(_[0-9]+)?\" namespace ingress service }}\",\n        le=\"+Inf\"\n      }[1m]\n    )\n  ) by (le)\n)\n"));

    [Fact]
    public void Apisix_and_traefik_templates_with_route_and_regex_labels()
    {
        Assert.Equal(
            "sum( rate( apisix_http_status{ route=~\"test_podinfo-route-podinfo-canary_.+\", code!~\"4..\" }[1m] ) ) / sum( rate( apisix_http_status{ route=~\"test_podinfo-route-podinfo-canary_.+\" }[1m] ) ) * 100 ",
            Collapsed("sum(\n  rate(\n    apisix_http_status{\n      route=~\"{{ namespace }}_{{ route }}-{{ target }}-canary_.+\",\n      code!~\"4..\"\n    }[{{ interval }}]\n  )\n)\n/\nsum(\n  rate(\n    apisix_http_status{\n      route=~\"{{ namespace }}_{{ route }}-{{ target }}-canary_.+\"\n    }[{{ interval }}]\n  )\n) * 100\n"));
        Assert.Equal(
            "sum( rate( traefik_service_request_duration_seconds_bucket{ service=~\"test-podinfo-canary-[0-9a-zA-Z-]+@kubernetescrd\", code!=\"404\", }[1m] ) ) / sum( rate( traefik_service_request_duration_seconds_bucket{ service=~\"test-podinfo-canary-[0-9a-zA-Z-]+@kubernetescrd\", }[1m] ) ) * 100 ",
            Collapsed("sum(\n  rate(\n    traefik_service_request_duration_seconds_bucket{\n      service=~\"{{ namespace }}-{{ target }}-canary-[0-9a-zA-Z-]+@kubernetescrd\",\n      code!=\"404\",\n    }[{{ interval }}]\n  )\n)\n/\nsum(\n  rate(\n    traefik_service_request_duration_seconds_bucket{\n      service=~\"{{ namespace }}-{{ target }}-canary-[0-9a-zA-Z-]+@kubernetescrd\",\n    }[{{ interval }}]\n  )\n) * 100\n"));
    }

    [Fact]
    public void Prometheus_operator_and_grpc_templates() =>
        Assert.Equal(
            "100 - rate( http_requests_total{ namespace=\"test\", job=\"podinfo-canary\", status!~\"5.*\" }[1m]) / rate( http_requests_total{ namespace=\"test\", job=\"podinfo-canary\" }[1m] ) * 100 ",
            Collapsed("100 - rate(\n  http_requests_total{\n    namespace=\"{{ namespace }}\",\n    job=\"{{ target }}-canary\",\n    status!~\"5.*\"\n  }[{{ interval }}]) \n/ \nrate(\n  http_requests_total{\n    namespace=\"{{ namespace }}\",\n    job=\"{{ target }}-canary\"\n  }[{{ interval }}]\n) * 100\n"));

    [Fact]
    public void Datadog_template_keeps_its_own_selector_syntax() =>
        Assert.Equal(
            "100 - (\n  sum:istio.mesh.request.count{\n    reporter:destination,\n    destination_workload_namespace:test,\n    destination_workload:podinfo,\n    !response_code:404\n  }.as_count()\n  / \n  sum:istio.mesh.request.count{\n    reporter:destination,\n    destination_workload_namespace:test,\n    destination_workload:podinfo\n  }.as_count()\n) * 100\n",
            Render("100 - (\n  sum:istio.mesh.request.count{\n    reporter:destination,\n    destination_workload_namespace:{{ namespace }},\n    destination_workload:{{ target }},\n    !response_code:404\n  }.as_count()\n  / \n  sum:istio.mesh.request.count{\n    reporter:destination,\n    destination_workload_namespace:{{ namespace }},\n    destination_workload:{{ target }}\n  }.as_count()\n) * 100\n"));

    [Fact]
    public void New_relic_graphite_and_influx_templates()
    {
        Assert.Equal(
            "SELECT \n    filter(sum(nginx_ingress_controller_requests), WHERE status >= '500') / \n    sum(nginx_ingress_controller_requests) * 100\nFROM Metric \nWHERE metricName = 'nginx_ingress_controller_requests' \nAND ingress = 'podinfo-ing' AND  namespace = 'test'\n",
            Render("SELECT \n    filter(sum(nginx_ingress_controller_requests), WHERE status >= '500') / \n    sum(nginx_ingress_controller_requests) * 100\nFROM Metric \nWHERE metricName = 'nginx_ingress_controller_requests' \nAND ingress = '{{ ingress }}' AND  namespace = '{{ namespace }}'\n"));
        Assert.Equal(
            "target=summarize(\n  asPercent(\n    sumSeries(\n      stats.timers.httpServerRequests.app.podinfo.exception.*.method.*.outcome.{CLIENT_ERROR,INFORMATIONAL,REDIRECTION,SUCCESS}.status.*.uri.*.count\n    ),\n    sumSeries(\n      stats.timers.httpServerRequests.app.podinfo.exception.*.method.*.outcome.*.status.*.uri.*.count\n    )\n  ),\n  1m,\n  'avg'\n)\n",
            Render("target=summarize(\n  asPercent(\n    sumSeries(\n      stats.timers.httpServerRequests.app.{{target}}.exception.*.method.*.outcome.{CLIENT_ERROR,INFORMATIONAL,REDIRECTION,SUCCESS}.status.*.uri.*.count\n    ),\n    sumSeries(\n      stats.timers.httpServerRequests.app.{{target}}.exception.*.method.*.outcome.*.status.*.uri.*.count\n    )\n  ),\n  {{interval}},\n  'avg'\n)\n"));
        Assert.Equal(
            "from(bucket: \"default\") |> range(start: -2h) |> filter(fn: (r) => r[\"destination_workload_namespace\"] == \"test\") |> filter(fn: (r) => r[\"destination_workload\"] == \"podinfo\") |> count()",
            Render("from(bucket: \"default\") |> range(start: -2h) |> filter(fn: (r) => r[\"destination_workload_namespace\"] == \"{{ namespace }}\") |> filter(fn: (r) => r[\"destination_workload\"] == \"{{ target }}\") |> count()"));
    }

    public static TheoryData<string, string> MoreUpstreamTemplates => new()
    {
        // nginx e2e latency (variables.path)
        {
            "histogram_quantile(0.99,\n  sum(\n    rate(\n      http_request_duration_seconds_bucket{\n        kubernetes_namespace=\"{{ namespace }}\",\n        kubernetes_pod_name=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\",\n        path=\"{{ variables.path }}\"\n      }[{{ interval }}]\n    )\n  ) by (le)\n)",
            "histogram_quantile(0.99, sum( rate( http_request_duration_seconds_bucket{ kubernetes_namespace=\"test\", kubernetes_pod_name=~\"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\", path=\"root\" }[1m] ) ) by (le) )"
        },
        // gatewayapi e2e request-duration
        {
            "histogram_quantile(0.99,\n  sum(\n    rate(\n      http_request_duration_seconds_bucket{\n        namespace=~\"{{ namespace }}\",\n        app=\"{{ target }}\",\n      }[{{ interval }}]\n    )\n  ) by (le)\n)",
            "histogram_quantile(0.99, sum( rate( http_request_duration_seconds_bucket{ namespace=~\"test\", app=\"podinfo\", }[1m] ) ) by (le) )"
        },
        // nginx tutorial latency (fixed window)
        {
            "histogram_quantile(0.99,\n  sum(\n    rate(\n      http_request_duration_seconds_bucket{\n        kubernetes_namespace=\"{{ namespace }}\",\n        kubernetes_pod_name=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\"\n      }[1m]\n    )\n  ) by (le)\n)\n",
            "histogram_quantile(0.99, sum( rate( http_request_duration_seconds_bucket{ kubernetes_namespace=\"test\", kubernetes_pod_name=~\"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\" }[1m] ) ) by (le) ) "
        },
        // upgrade guide latency (seconds histogram)
        {
            "histogram_quantile(\n    0.99,\n    sum(\n        rate(\n            istio_request_duration_seconds_bucket{\n                reporter=\"destination\",\n                destination_workload_namespace=\"{{ namespace }}\",\n                destination_workload=~\"{{ target }}\"\n            }[{{ interval }}]\n        )\n    ) by (le)\n)\n",
            "histogram_quantile( 0.99, sum( rate( istio_request_duration_seconds_bucket{ reporter=\"destination\", destination_workload_namespace=\"test\", destination_workload=~\"podinfo\" }[1m] ) ) by (le) ) "
        },
        // metrics docs: istio not-found percentage
        {
            "100 - sum(\n    rate(\n        istio_requests_total{\n          reporter=\"destination\",\n          destination_workload_namespace=\"{{ namespace }}\",\n          destination_workload=\"{{ target }}\",\n          response_code!=\"404\"\n        }[{{ interval }}]\n    )\n)\n/\nsum(\n    rate(\n        istio_requests_total{\n          reporter=\"destination\",\n          destination_workload_namespace=\"{{ namespace }}\",\n          destination_workload=\"{{ target }}\"\n        }[{{ interval }}]\n    )\n) * 100\n",
            "100 - sum( rate( istio_requests_total{ reporter=\"destination\", destination_workload_namespace=\"test\", destination_workload=\"podinfo\", response_code!=\"404\" }[1m] ) ) / sum( rate( istio_requests_total{ reporter=\"destination\", destination_workload_namespace=\"test\", destination_workload=\"podinfo\" }[1m] ) ) * 100 "
        },
        // metrics docs: gRPC error rate
        {
            "100 - sum(\n    rate(\n        grpc_server_handled_total{\n          grpc_code!=\"OK\",\n          kubernetes_namespace=\"{{ namespace }}\",\n          kubernetes_pod_name=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\"\n        }[{{ interval }}]\n    )\n)\n/\nsum(\n    rate(\n        grpc_server_started_total{\n          kubernetes_namespace=\"{{ namespace }}\",\n          kubernetes_pod_name=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\"\n        }[{{ interval }}]\n    )\n) * 100\n",
            "100 - sum( rate( grpc_server_handled_total{ grpc_code!=\"OK\", kubernetes_namespace=\"test\", kubernetes_pod_name=~\"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\" }[1m] ) ) / sum( rate( grpc_server_started_total{ kubernetes_namespace=\"test\", kubernetes_pod_name=~\"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\" }[1m] ) ) * 100 "
        },
        // prometheus-operator latency
        {
            "histogram_quantile(0.99,\n  sum(\n    rate(\n      http_request_duration_seconds_bucket{\n        namespace=\"{{ namespace }}\",\n        job=\"{{ target }}-canary\"\n      }[{{ interval }}]\n    )\n  ) by (le)\n)\n",
            "histogram_quantile(0.99, sum( rate( http_request_duration_seconds_bucket{ namespace=\"test\", job=\"podinfo-canary\" }[1m] ) ) by (le) ) "
        },
    };

    [Theory]
    [MemberData(nameof(MoreUpstreamTemplates))]
    public void More_upstream_templates_render_as_go_would(string template, string expected) =>
        Assert.Equal(expected, PrometheusMetricProvider.TrimQuery((Model with { Variables = new Dictionary<string, string> { ["path"] = "root" } }).Render(template)));

    [Fact]
    public void Stackdriver_splunk_dynatrace_and_external_metrics_templates()
    {
        Assert.Equal(
            "fetch k8s_container\n| metric 'istio.io/service/server/response_latencies'\n| filter\n    (metric.destination_service_name == 'podinfo-svc-canary'\n    && metric.destination_service_namespace == 'test')\n| align delta(1m)\n",
            Render("fetch k8s_container\n| metric 'istio.io/service/server/response_latencies'\n| filter\n    (metric.destination_service_name == '{{ service }}-canary'\n    && metric.destination_service_namespace == '{{ namespace }}')\n| align delta(1m)\n"));
        Assert.Equal(
            "total = data('traces.count', filter=filter('sf_service', 'podinfo')).sum().publish(enable=False)",
            Render("total = data('traces.count', filter=filter('sf_service', '{{target}}')).sum().publish(enable=False)"));
        Assert.Equal(
            "builtin:service.response.time:filter(eq(dt.entity.service,SERVICE-ABCDEFG0123456789)):percentile(95)\n",
            Render("builtin:service.response.time:filter(eq(dt.entity.service,SERVICE-ABCDEFG0123456789)):percentile(95)\n"));
        Assert.Equal("webapp-frontend/job-success-rate?labelSelector=env%3Dproduction",
            Render("webapp-frontend/job-success-rate?labelSelector=env%3Dproduction"));
    }
}

using System.Text;

namespace Flagger.LoadTester;

/// <summary>
/// Every route of flagger-loadtester 0.38 with its status codes and response texts: the task API on every path not
/// listed (<c>POST /</c>), the manual gates, the rollback gates and <c>/healthz</c>. Any method is accepted, as Go's
/// <c>ServeMux</c> does. <c>/metrics</c> is served by prometheus-net in front of this handler.
/// </summary>
// upstream: pkg/loadtester/server.go
internal sealed partial class LoadTesterHandler(
    GateStore gates, TaskRunner runner, ShellCommand shell, LoadTesterOptions options, IHostApplicationLifetime lifetime, ILogger<LoadTesterHandler> logger)
{
    /// <summary>Serves one request; a body over <see cref="LoadTesterOptions.MaxBodyBytes"/> gets <c>413</c> and is not read.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        if (context.Request.ContentLength > options.MaxBodyBytes)
        {
            await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, BodyTooLarge()).ConfigureAwait(false);
            return;
        }

        try
        {
            await RouteAsync(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, BodyTooLarge()).ConfigureAwait(false);
        }
    }

    private string BodyTooLarge() => $"request body larger than {options.MaxBodyBytes} bytes (-max-body-bytes)";

    private Task RouteAsync(HttpContext context) => context.Request.Path.Value switch
    {
        "/healthz" or "/gate/approve" => WriteAsync(context, 200, "OK"),
        "/gate/halt" => WriteAsync(context, 403, "Forbidden"),
        "/gate/check" => GateAsync(context, GateAction.Check, rollback: false),
        "/gate/open" => GateAsync(context, GateAction.Open, rollback: false),
        "/gate/close" => GateAsync(context, GateAction.Close, rollback: false),
        "/rollback/check" => GateAsync(context, GateAction.Check, rollback: true),
        "/rollback/open" => GateAsync(context, GateAction.Open, rollback: true),
        "/rollback/close" => GateAsync(context, GateAction.Close, rollback: true),
        _ => TaskAsync(context),
    };

    private enum GateAction
    {
        Check,
        Open,
        Close,
    }

    private async Task GateAsync(HttpContext context, GateAction action, bool rollback)
    {
        var payload = await ReadPayloadAsync(context).ConfigureAwait(false);
        if (payload is null)
        {
            context.Response.StatusCode = 400;
            return;
        }

        if (!Authorized(payload))
        {
            await WriteAsync(context, 403, "Forbidden").ConfigureAwait(false);
            return;
        }

        var key = rollback ? $"rollback.{payload.Canary}" : payload.Canary;
        switch (action)
        {
            case GateAction.Check:
                var approved = gates.IsOpen(key);
                Log.Checked(logger, key, rollback ? "rollback" : "gate", approved);
                await WriteAsync(context, approved ? 200 : 403, approved ? "Approved" : "Forbidden").ConfigureAwait(false);
                break;
            case GateAction.Open:
                gates.Open(key);
                Log.Changed(logger, key, rollback ? "rollback" : "gate", "opened");
                context.Response.StatusCode = 202;
                break;
            case GateAction.Close:
                gates.Close(key);
                Log.Changed(logger, key, rollback ? "rollback" : "gate", "closed");
                context.Response.StatusCode = 202;
                break;
        }
    }

    private async Task TaskAsync(HttpContext context)
    {
        var payload = await ReadPayloadAsync(context).ConfigureAwait(false);
        if (payload is null)
        {
            context.Response.StatusCode = 400;
            return;
        }

        if (!Authorized(payload))
        {
            await WriteAsync(context, 403, "Forbidden").ConfigureAwait(false);
            return;
        }

        if (payload.Metadata is not { Count: > 0 } metadata)
        {
            await WriteAsync(context, 400, "metadata not found in payload").ConfigureAwait(false);
            return;
        }

        var type = metadata.TryGetValue("type", out var t) ? t : "cmd";
        var returnOutput = metadata.TryGetValue("returnCmdOutput", out var r) && ParseBool(r);
        var command = metadata.TryGetValue("cmd", out var c) ? c : "";
        var canary = payload.Canary;

        switch (type)
        {
            case "cmd":
                if (!metadata.ContainsKey("cmd"))
                {
                    await WriteAsync(context, 400, "cmd not found in metadata").ConfigureAwait(false);
                    return;
                }

                _ = runner.Add(canary, command, metadata.TryGetValue("logCmdOutput", out var log) && ParseBool(log));
                context.Response.StatusCode = 202;
                return;
            case "bash":
                Log.Bash(logger, payload.Name ?? "", command);
                await BlockingAsync(context, canary, command, "bash", ["-c", command], returnOutput).ConfigureAwait(false);
                return;
            case "helm" or "helmv3":
                await BlockingAsync(context, canary, command, "helm", Fields(command), returnOutput).ConfigureAwait(false);
                return;
            case "kubectl":
                await BlockingAsync(context, canary, command, "kubectl", Fields(command), returnOutput).ConfigureAwait(false);
                return;
            case "concord" or "ngrinder":
                await WriteAsync(context, 400, $"unknown task type {type} (concord and ngrinder tasks are not supported by this loadtester)").ConfigureAwait(false);
                return;
            default:
                await WriteAsync(context, 400, $"unknown task type {type}").ConfigureAwait(false);
                return;
        }
    }

    private async Task BlockingAsync(HttpContext context, string canary, string command, string program, IReadOnlyList<string> arguments, bool returnOutput)
    {
        Log.Running(logger, canary, program, command);
        // Like upstream, a blocking task is bounded by -timeout only: a caller that gives up (Flagger's webhook timeout)
        // does not kill it. Shutdown does.
        var result = await shell.RunAsync(program, arguments, options.Timeout, lifetime.ApplicationStopping).ConfigureAwait(false);
        if (!result.Ok)
        {
            Log.Failed(logger, canary, command, result.Error ?? "", result.Output);
            await WriteAsync(context, 500, $"command {command} failed: {result.Output}: {result.Error}").ConfigureAwait(false);
            return;
        }

        Log.Output(logger, canary, result.Output);
        Log.Finished(logger, canary, command);
        if (returnOutput)
        {
            await WriteAsync(context, 200, result.Output).ConfigureAwait(false);
        }
        else
        {
            context.Response.StatusCode = 200;
        }
    }

    private bool Authorized(WebhookPayload payload) => options.NamespaceRegexp?.IsMatch(payload.Namespace ?? "") ?? true;

    private static async Task<WebhookPayload?> ReadPayloadAsync(HttpContext context)
    {
        return await WebhookPayload.TryParseAsync(context.Request.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        if (body.Length > 0)
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body), context.RequestAborted).ConfigureAwait(false);
        }
    }

    // Go strings.Fields: split on any run of whitespace.
    private static string[] Fields(string command) => command.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    // Go strconv.ParseBool
    private static bool ParseBool(string value) => value is "1" or "t" or "T" or "true" or "TRUE" or "True";

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{Key} {Kind} check: approved {Approved}")]
        public static partial void Checked(ILogger logger, string key, string kind, bool approved);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Key} {Kind} {Change}")]
        public static partial void Changed(ILogger logger, string key, string kind, string change);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Canary}: bash command {Command}")]
        public static partial void Bash(ILogger logger, string canary, string command);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Canary}: running command {Program} {Command}")]
        public static partial void Running(ILogger logger, string canary, string program, string command);

        [LoggerMessage(Level = LogLevel.Error, Message = "{Canary}: command failed {Command} {Error} {Output}")]
        public static partial void Failed(ILogger logger, string canary, string command, string error, string output);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Canary}: {Output}")]
        public static partial void Output(ILogger logger, string canary, string output);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Canary}: command finished {Command}")]
        public static partial void Finished(ILogger logger, string canary, string command);
    }
}

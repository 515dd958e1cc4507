using System.Net;
using System.Text;

namespace Flagger.LoadTester.Tests;

public sealed class BodyLimitTests
{
    private const string Podinfo = """{"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"abc"}""";

    [Fact]
    public async Task A_body_over_the_default_limit_gets_413_and_smaller_ones_are_served()
    {
        await using var host = await LoadTesterHost.StartAsync();

        var padded = Podinfo[..^1] + $",\"metadata\":{{\"pad\":\"{new string('x', (int)LoadTesterOptions.DefaultMaxBodyBytes)}\"}}}}";
        var (status, body) = await host.PostAsync("/gate/open", padded);

        Assert.Equal(413, status);
        Assert.Contains("-max-body-bytes", body, StringComparison.Ordinal);
        Assert.Equal((202, ""), await host.PostAsync("/gate/open", Podinfo));
    }

    [Fact]
    public async Task A_chunked_body_over_a_configured_limit_gets_413()
    {
        await using var host = await LoadTesterHost.StartAsync(new LoadTesterOptions { StateDir = LoadTesterHost.NewStateDir(), MaxBodyBytes = 1024 });

        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(Podinfo[..^1] + $",\"x\":\"{new string('x', 4096)}\"}}")));
        content.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/gate/check") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal((403, "Forbidden"), await host.PostAsync("/gate/check", Podinfo));
    }

    [Fact]
    public void The_limit_is_a_flag_and_an_environment_variable()
    {
        Assert.Equal(LoadTesterOptions.DefaultMaxBodyBytes, CommandLine.Parse([], _ => null).Options!.MaxBodyBytes);
        Assert.Equal(2048, CommandLine.Parse(["-max-body-bytes=2048"], _ => null).Options!.MaxBodyBytes);
        Assert.Equal(4096, CommandLine.Parse([], name => name == "LOADTESTER_MAX_BODY_BYTES" ? "4096" : null).Options!.MaxBodyBytes);
        Assert.Equal("invalid value \"0\" for flag -max-body-bytes: a positive number of bytes is expected", CommandLine.Parse(["-max-body-bytes=0"], _ => null).Error);
    }
}

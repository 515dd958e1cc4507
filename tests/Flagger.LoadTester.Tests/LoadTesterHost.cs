using System.Net;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Flagger.LoadTester.Tests;

/// <summary>A real loadtester on 127.0.0.1 with a random port and its own state folder.</summary>
internal sealed class LoadTesterHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoadTesterHost(WebApplication app, string baseUrl, LoadTesterOptions options)
    {
        _app = app;
        Options = options;
        Client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    public LoadTesterOptions Options { get; }

    public IServiceProvider Services => _app.Services;

    public static string NewStateDir() => TempRoot.NewDir();

    public static async Task<LoadTesterHost> StartAsync(LoadTesterOptions? options = null, TimeProvider? time = null)
    {
        options = (options ?? new LoadTesterOptions { StateDir = NewStateDir() }) with
        {
            Port = 0,
            ListenAddress = IPAddress.Loopback,
            LogLevel = "error",
            LogEncoding = "console",
        };
        var app = LoadTesterApp.Build(options, services =>
        {
            // Only the task clock is faked: Kestrel and the host keep the system clock (they read TimeProvider too).
            if (time is not null)
            {
                services.AddSingleton(new ShellCommand(time));
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoadTesterHost(app, address, options);
    }

    public async Task<(int Status, string Body)> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync(path, content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<(int Status, string Body)> SendAsync(HttpMethod method, string path)
    {
        using var request = new HttpRequestMessage(method, path);
        using var response = await Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A fake clock that reports every timer created, so a test advances time only once the code waits.</summary>
internal sealed class RecordingTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _timers.Writer.TryWrite(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }

    public async Task<TimeSpan> NextTimerAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _timers.Reader.ReadAsync(cts.Token);
    }
}

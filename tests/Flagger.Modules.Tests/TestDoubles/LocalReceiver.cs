using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flagger.Modules.Tests.TestDoubles;

/// <summary>One request as the receiver saw it.</summary>
internal sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>A canned answer of the receiver.</summary>
internal sealed record ReceiverReply(int Status, string Body = "", IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A Kestrel listener on 127.0.0.1 with a random port (plain HTTP or HTTPS with a throw-away self-signed certificate)
/// that records every request and answers with <see cref="Respond"/>.
/// </summary>
internal sealed class LocalReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedRequest> _arrivals = Channel.CreateUnbounded<ReceivedRequest>();

    private LocalReceiver(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>The answer to each request; default 200 "OK".</summary>
    public Func<ReceivedRequest, CancellationToken, Task<ReceiverReply>> Respond { get; set; } =
        (_, _) => Task.FromResult(new ReceiverReply(200, "OK"));

    public string Url(string path = "/") => BaseUrl + path;

    public static async Task<LocalReceiver> StartAsync(bool https = false)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options => options.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (https)
            {
                listen.UseHttps(SelfSignedCertificate());
            }
        }));
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        LocalReceiver? receiver = null;
        app.Run(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var request = new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, buffer.ToArray());
            receiver!.Requests.Enqueue(request);
            receiver._arrivals.Writer.TryWrite(request);
            var reply = await receiver.Respond(request, context.RequestAborted);
            context.Response.StatusCode = reply.Status;
            foreach (var (key, value) in reply.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[key] = value;
            }

            if (reply.Body.Length > 0)
            {
                await context.Response.WriteAsync(reply.Body, context.RequestAborted);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new LocalReceiver(app, address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return receiver;
    }

    /// <summary>Waits for the next request to arrive (bounded, so a broken test fails instead of hanging).</summary>
    public async Task<ReceivedRequest> NextAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _arrivals.Reader.ReadAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}

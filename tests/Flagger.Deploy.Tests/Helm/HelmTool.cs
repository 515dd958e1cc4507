using System.Diagnostics;

namespace Flagger.Deploy.Tests.Helm;

/// <summary>Result of one helm (or script) run.</summary>
internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// The helm binary the tests use: found or installed by eng/install-helm.sh (once per test run). Tests call
/// <see cref="RequireAsync"/>, which skips the test with the script's reason when helm cannot be had.
/// </summary>
internal static class HelmTool
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<Task<(string? Path, string Reason)>> Located = new(LocateAsync);

    public static async Task<string> RequireAsync()
    {
        var (path, reason) = await Located.Value;
        if (path is null)
        {
            Assert.Skip($"helm is not available: {reason}");
        }
        return path;
    }

    /// <summary>Runs helm with the given arguments from the repository root; throws on a timeout.</summary>
    public static async Task<ToolResult> RunAsync(params string[] args) =>
        await RunProcessAsync(await RequireAsync(), args, RunTimeout);

    /// <summary><c>helm template</c> into parsed manifests; fails the test with helm's stderr on a non-zero exit.</summary>
    public static async Task<Manifests> TemplateAsync(string chart, string release, string @namespace, params string[] extra)
    {
        var result = await RunAsync(["template", release, RepoRoot.Combine(chart), "--namespace", @namespace, .. extra]);
        Assert.True(result.ExitCode == 0, $"helm template failed ({result.ExitCode}): {result.Stderr}");
        return Manifests.Parse(result.Stdout);
    }

    public static string ValuesFile(string name) => Path.Combine(AppContext.BaseDirectory, "values", name);

    public static async Task<ToolResult> RunProcessAsync(string fileName, IEnumerable<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoRoot.Path_,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}");
        }
        return new ToolResult(process.ExitCode, await stdout, await stderr);
    }

    private static async Task<(string? Path, string Reason)> LocateAsync()
    {
        var script = RepoRoot.Combine("eng", "install-helm.sh");
        try
        {
            var result = await RunProcessAsync("bash", [script], InstallTimeout);
            var path = result.Stdout.Trim();
            return result.ExitCode == 0 && File.Exists(path)
                ? (path, "")
                : (null, $"eng/install-helm.sh exited {result.ExitCode}: {result.Stderr.Trim()}");
        }
        catch (Exception e) when (e is TimeoutException or System.ComponentModel.Win32Exception)
        {
            return (null, $"eng/install-helm.sh could not run: {e.Message}");
        }
    }
}

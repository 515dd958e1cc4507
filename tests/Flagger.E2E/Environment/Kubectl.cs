using System.Diagnostics;

namespace Flagger.E2E.Environment;

/// <summary>Runs the kubectl binary on PATH against a kubeconfig, as upstream's e2e scripts do (bounded, fails with its output).</summary>
internal static class Kubectl
{
    public static async Task<string> RunAsync(string kubeconfig, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.Environment["KUBECONFIG"] = kubeconfig;
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start kubectl (it must be on PATH)");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl {string.Join(' ', info.ArgumentList)} exited with {process.ExitCode}: {await stderr}{await stdout}");
        }

        return await stdout;
    }
}

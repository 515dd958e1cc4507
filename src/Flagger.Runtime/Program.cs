using Flagger.Runtime;

var (app, exitCode) = FlaggerHost.Build(args);
if (app is null)
{
    return exitCode;
}

return await FlaggerHost.RunAsync(app);

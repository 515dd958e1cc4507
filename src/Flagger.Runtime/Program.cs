using Flagger.Modules.Shared;
using Prometheus;

// The operator process. Each line below wires one part; the modules own their behaviour.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddSharedModule();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapMetrics("/metrics");
app.Run();

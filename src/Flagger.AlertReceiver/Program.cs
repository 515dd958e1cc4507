using Flagger.AlertReceiver;

// A Slack-compatible incoming-webhook receiver for the local environment: POST any path stores the JSON body,
// GET / lists what arrived (newest first), GET /alerts returns it as JSON. Memory only, last 500 alerts.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddSingleton(new AlertLog(capacity: 500, TimeProvider.System));
var app = builder.Build();

app.MapGet("/", (AlertLog log) => Results.Content(AlertPage.Render(log.Snapshot()), "text/html; charset=utf-8"));
app.MapGet("/alerts", (AlertLog log) => Results.Json(log.Snapshot().Select(a => new { a.ReceivedAt, a.Path, a.Body }), AlertJson.Options));
app.MapGet("/healthz", () => Results.Text("OK"));
app.MapPost("/{**path}", async (HttpRequest request, AlertLog log, string? path) =>
{
    using var reader = new StreamReader(request.Body);
    var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
    return log.Add("/" + path, body) is { } error
        ? Results.Text(error, statusCode: StatusCodes.Status400BadRequest)
        : Results.Text("ok"); // Slack answers "ok"
});

app.Run();

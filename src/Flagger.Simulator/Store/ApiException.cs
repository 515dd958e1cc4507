using System.Text.Json.Nodes;

namespace Flagger.Simulator.Store;

/// <summary>An API error that becomes a <c>meta/v1 Status</c> response.</summary>
internal sealed class ApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public JsonObject? Details { get; } = details;

    /// <summary>The Status' list metadata (a <c>continue</c> token on 410 Expired lists).</summary>
    public JsonObject? StatusMetadata { get; init; }

    public JsonObject ToStatus() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = StatusMetadata?.DeepClone() ?? new JsonObject(),
        ["status"] = "Failure",
        ["message"] = Message,
        ["reason"] = Reason,
        ["details"] = Details?.DeepClone(),
        ["code"] = Code,
    };

    private static JsonObject Detail(ResourceType type, string? name) => new()
    {
        ["name"] = name,
        ["group"] = type.Group,
        ["kind"] = type.Plural,
    };

    public static ApiException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{type.GroupResource} \"{name}\" not found", Detail(type, name));

    public static ApiException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{type.GroupResource} \"{name}\" already exists", Detail(type, name));

    public static ApiException Conflict(ResourceType type, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {type.GroupResource} \"{name}\": {why}", Detail(type, name));

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException Invalid(ResourceType type, string name, string field, string detail)
    {
        var details = Detail(type, name);
        details["kind"] = type.Kind;
        details["causes"] = new JsonArray(new JsonObject
        {
            ["reason"] = "FieldValueInvalid",
            ["message"] = detail,
            ["field"] = field,
        });
        return new(422, "Invalid", $"{type.Kind} \"{name}\" is invalid: {field}: {detail}", details);
    }

    /// <summary>Every field error at once, as the API server aggregates them (<c>[a, b]</c> when there are several).</summary>
    public static ApiException Invalid(ResourceType type, string name, IReadOnlyList<(string Field, string Detail)> errors)
    {
        if (errors.Count == 1)
        {
            return Invalid(type, name, errors[0].Field, errors[0].Detail);
        }

        var details = Detail(type, name);
        details["kind"] = type.Kind;
        details["causes"] = new JsonArray([.. errors.Select(e => (JsonNode)new JsonObject
        {
            ["reason"] = "FieldValueInvalid",
            ["message"] = e.Detail,
            ["field"] = e.Field,
        })]);
        var text = string.Join(", ", errors.Select(e => $"{e.Field}: {e.Detail}").Distinct());
        return new(422, "Invalid", $"{type.Kind} \"{name}\" is invalid: [{text}]", details);
    }

    public static ApiException ResourceNotFound() =>
        new(404, "NotFound", "the server could not find the requested resource");

    public static ApiException MethodNotAllowed(string verb, ResourceType type) =>
        new(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource ({verb} {type.GroupResource})");
}

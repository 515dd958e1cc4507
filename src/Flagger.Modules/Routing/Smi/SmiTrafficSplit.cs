using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Flagger.Modules.Routing.Kit;
using k8s.Models;

namespace Flagger.Modules.Routing.Smi;

/// <summary>The SMI traffic-split API group and kind (<c>trafficsplits.split.smi-spec.io</c>).</summary>
internal static class SmiApi
{
    public const string Group = "split.smi-spec.io";
    public const string Kind = "TrafficSplit";
    public const string Plural = "trafficsplits";
}

/// <summary>An SMI TrafficSplit of version <c>v1alpha1</c> (Linkerd's): backend weights are Kubernetes quantities.</summary>
[KubernetesEntity(Group = SmiApi.Group, Kind = SmiApi.Kind, ApiVersion = "v1alpha1", PluralName = SmiApi.Plural)]
public sealed class SmiTrafficSplitV1Alpha1() : CustomObject<SmiTrafficSplitSpec<SmiQuantityBackend>>(SmiApi.Group + "/v1alpha1", SmiApi.Kind);

/// <summary>An SMI TrafficSplit of version <c>v1alpha2</c> (OSM's): integer weights.</summary>
[KubernetesEntity(Group = SmiApi.Group, Kind = SmiApi.Kind, ApiVersion = "v1alpha2", PluralName = SmiApi.Plural)]
public sealed class SmiTrafficSplitV1Alpha2() : CustomObject<SmiTrafficSplitSpec<SmiBackend>>(SmiApi.Group + "/v1alpha2", SmiApi.Kind);

/// <summary>An SMI TrafficSplit of version <c>v1alpha3</c>: integer weights (and <c>matches</c>, which Flagger does not write).</summary>
[KubernetesEntity(Group = SmiApi.Group, Kind = SmiApi.Kind, ApiVersion = "v1alpha3", PluralName = SmiApi.Plural)]
public sealed class SmiTrafficSplitV1Alpha3() : CustomObject<SmiTrafficSplitSpec<SmiBackend>>(SmiApi.Group + "/v1alpha3", SmiApi.Kind);

/// <summary>One backend of a TrafficSplit: a Service and its weight.</summary>
public interface ISmiBackend
{
    string? Service { get; set; }

    int Weight { get; set; }
}

/// <summary>TrafficSplit <c>spec</c>: the apex <c>service</c> the split applies to and its weighted <c>backends</c>.</summary>
/// <typeparam name="TBackend">The version's backend (quantity or integer weight).</typeparam>
public sealed class SmiTrafficSplitSpec<TBackend>
    where TBackend : ISmiBackend
{
    [JsonPropertyName("service")]
    public string? Service { get; set; }

    [JsonPropertyName("backends")]
    public List<TBackend>? Backends { get; set; }

    /// <summary>Fields not modelled here (v1alpha3 <c>matches</c>).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; set; }
}

/// <summary>A backend with an integer weight (v1alpha2, v1alpha3).</summary>
public sealed class SmiBackend : ISmiBackend
{
    [JsonPropertyName("service")]
    public string? Service { get; set; }

    /// <summary>Read from a quantity string too, so a watch of this version survives a split written as v1alpha1.</summary>
    [JsonPropertyName("weight")]
    [JsonConverter(typeof(IntegerWeightConverter))]
    public int Weight { get; set; }
}

/// <summary>A backend whose weight is a <c>resource.Quantity</c> (v1alpha1): written as a string (<c>"90"</c>), read from either form.</summary>
public sealed class SmiQuantityBackend : ISmiBackend
{
    [JsonPropertyName("service")]
    public string? Service { get; set; }

    [JsonPropertyName("weight")]
    [JsonConverter(typeof(QuantityWeightConverter))]
    public int Weight { get; set; }
}

/// <summary>
/// A whole-number <c>resource.Quantity</c> as upstream writes it (<c>resource.NewQuantity(w, DecimalExponent)</c>
/// marshals to <c>"w"</c>). Reading accepts a number too, as the CRD's <c>x-kubernetes-int-or-string</c> does.
/// </summary>
internal sealed class QuantityWeightConverter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadWeight(ref reader);

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A weight written as a number or as a quantity string.</summary>
    internal static int ReadWeight(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return (int)reader.GetDouble();
        }

        return new ResourceQuantity(reader.GetString()).ToInt32();
    }
}

/// <summary>An integer weight (v1alpha2, v1alpha3), written as a number and read from either form.</summary>
internal sealed class IntegerWeightConverter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        QuantityWeightConverter.ReadWeight(ref reader);

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}

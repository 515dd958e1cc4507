using System.Text;
using Flagger.Simulator.Api.Protobuf;
using Flagger.Simulator.Store;

namespace Flagger.Simulator.Tests;

/// <summary>The protobuf request-body decoder on hand-encoded messages (kubectl's own bodies are in KubectlSmokeTests).</summary>
public sealed class ProtobufBodyTests
{
    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    private static byte[] Field(int number, ulong value) => [.. Varint((ulong)number << 3), .. Varint(value)];

    private static byte[] Field(int number, byte[] bytes) => [.. Varint(((ulong)number << 3) | 2), .. Varint((ulong)bytes.Length), .. bytes];

    private static byte[] Field(int number, string text) => Field(number, Encoding.UTF8.GetBytes(text));

    private static byte[] Envelope(string apiVersion, string kind, byte[] raw) =>
        [.. "k8s\0"u8.ToArray(), .. Field(1, [.. Field(1, apiVersion), .. Field(2, kind)]), .. Field(2, raw)];

    [Fact]
    public void Zero_values_of_pointer_fields_are_kept_and_of_plain_fields_dropped_like_Go_JSON()
    {
        byte[] spec = [.. Field(1, 0UL), .. Field(5, 0UL), .. Field(7, 0UL), .. Field(99, 5UL)];
        var obj = ProtobufBody.Decode(Envelope("apps/v1", "Deployment", [.. Field(1, [.. Field(1, "web"), .. Field(3, ""), .. Field(8, [])]), .. Field(2, spec)]));

        Assert.Equal("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":0}}""", obj.ToJsonString());
    }

    [Fact]
    public void Int_or_string_quantities_times_negative_numbers_and_maps_convert_to_their_JSON_forms()
    {
        byte[] port = [.. Field(3, 80UL), .. Field(4, [.. Field(1, 1UL), .. Field(3, "http")])];
        byte[] meta = [.. Field(1, "svc"), .. Field(8, [.. Field(1, 1_700_000_000UL)]), .. Field(11, [.. Field(1, "app"), .. Field(2, "web")])];
        var service = ProtobufBody.Decode(Envelope("v1", "Service", [.. Field(1, meta), .. Field(2, Field(1, port))]));
        Assert.Equal("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"svc","creationTimestamp":"2023-11-14T22:13:20Z","labels":{"app":"web"}},"spec":{"ports":[{"port":80,"targetPort":"http"}]}}""",
            service.ToJsonString());

        var hpa = ProtobufBody.Decode(Envelope("autoscaling/v2", "HorizontalPodAutoscaler", Field(2, [.. Field(2, unchecked((ulong)-1L)), .. Field(3, 4UL)])));
        Assert.Equal(-1, (int)hpa["spec"]!["minReplicas"]!);

        byte[] resources = Field(1, [.. Field(1, "cpu"), .. Field(2, Field(1, "250m"))]);
        var pod = ProtobufBody.Decode(Envelope("v1", "Pod", Field(2, Field(2, [.. Field(1, "c"), .. Field(8, resources)]))));
        Assert.Equal("250m", (string?)pod["spec"]!["containers"]![0]!["resources"]!["limits"]!["cpu"]);
    }

    [Fact]
    public void A_body_without_the_k8s_prefix_is_a_400_and_a_kind_without_a_message_is_a_415()
    {
        Assert.Equal(400, Assert.Throws<ApiException>(() => ProtobufBody.Decode("{}"u8)).Code);
        Assert.Equal(400, Assert.Throws<ApiException>(() => ProtobufBody.Decode([.. "k8s\0"u8.ToArray(), 0x0A, 0x7F])).Code);
        Assert.Equal(415, Assert.Throws<ApiException>(() => ProtobufBody.Decode(Envelope("flagger.app/v1beta1", "Canary", []))).Code);
    }
}

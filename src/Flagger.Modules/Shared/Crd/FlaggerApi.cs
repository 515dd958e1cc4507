namespace Flagger.Modules.Shared.Crd;

/// <summary>The API group and version of Flagger's custom resources, identical to upstream's.</summary>
public static class FlaggerApi
{
    public const string Group = "flagger.app";
    public const string Version = "v1beta1";
    public const string GroupVersion = Group + "/" + Version;
}

namespace CircuitBreaker.Infra.Configuration;

/// <summary>The instruction set the functions run on.</summary>
public enum LambdaArchitecture
{
    /// <summary>Graviton; Lambda's <c>arm64</c>, .NET's <c>linux-arm64</c>. Cheaper per millisecond.</summary>
    Arm64,

    /// <summary>Lambda's <c>x86_64</c>, .NET's <c>linux-x64</c>.</summary>
    X64,
}

/// <summary>The names an architecture goes by in Lambda, in .NET and in config.</summary>
public static class LambdaArchitectureNames
{
    /// <summary>Config value and Lambda <c>Architectures</c> entry for <see cref="LambdaArchitecture.Arm64"/>.</summary>
    public const string Arm64 = "arm64";

    /// <summary>Config value and Lambda <c>Architectures</c> entry for <see cref="LambdaArchitecture.X64"/>.</summary>
    public const string X64 = "x86_64";

    /// <summary>The value Lambda's <c>Architectures</c> list takes.</summary>
    public static string LambdaName(this LambdaArchitecture architecture) =>
        architecture == LambdaArchitecture.Arm64 ? Arm64 : X64;

    /// <summary>The .NET runtime identifier to publish <c>bootstrap</c> for.</summary>
    public static string RuntimeIdentifier(this LambdaArchitecture architecture) =>
        architecture == LambdaArchitecture.Arm64 ? "linux-arm64" : "linux-x64";

    /// <summary>Parses a config value (<c>arm64</c> or <c>x86_64</c>, case-insensitive).</summary>
    public static bool TryParse(string? value, out LambdaArchitecture architecture) =>
        ConfigChoices.TryParse(value, out architecture, (Arm64, LambdaArchitecture.Arm64), (X64, LambdaArchitecture.X64));
}

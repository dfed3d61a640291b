namespace AmiVault.Protocols.Ec2;

/// <summary>An EC2 client error: answered as EC2's error XML with its code, message and HTTP status.</summary>
internal sealed class Ec2Exception(string code, string message, int status = 400) : Exception(message)
{
    public string Code { get; } = code;

    public int Status { get; } = status;

    public static Ec2Exception Missing(string parameter) =>
        new("MissingParameter", $"The request must contain the parameter {parameter}");

    public static Ec2Exception InvalidValue(string parameter, string? value, string why) =>
        new("InvalidParameterValue", $"Value ({value}) for parameter {parameter} is invalid. {why}");
}

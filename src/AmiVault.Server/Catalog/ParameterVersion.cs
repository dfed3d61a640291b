namespace AmiVault.Catalog;

/// <summary>One version of an SSM parameter of one account, as the catalog keeps it.</summary>
internal sealed record ParameterVersion
{
    public required string OwnerId { get; init; }

    public required string Name { get; init; }

    /// <summary>1 for the first; each overwrite adds one.</summary>
    public long Version { get; init; }

    /// <summary>String or StringList.</summary>
    public required string Type { get; init; }

    public required string Value { get; init; }

    /// <summary>text or aws:ec2:image.</summary>
    public required string DataType { get; init; }

    public string? Description { get; init; }

    public string? AllowedPattern { get; init; }

    /// <summary>Standard or Advanced.</summary>
    public required string Tier { get; init; }

    public required DateTimeOffset LastModified { get; init; }

    /// <summary>The ARN of who wrote this version.</summary>
    public required string ModifiedBy { get; init; }

    /// <summary>The labels on this version (a label is on one version of a parameter at a time).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];
}

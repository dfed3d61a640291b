namespace AmiVault.Protocols.Ec2;

/// <summary>One EC2 Query action (`Action=Name`). Register implementations in the service collection.</summary>
internal interface IEc2Action
{
    string Name { get; }

    /// <summary>
    /// The ids of the resources the action is authorized on (images, snapshots); none means "*", as for AWS's
    /// actions without resource-level permissions (Describe*).
    /// </summary>
    IReadOnlyList<string> ResourceIds(Ec2Parameters parameters) => [];

    Task ExecuteAsync(Ec2Call call);
}

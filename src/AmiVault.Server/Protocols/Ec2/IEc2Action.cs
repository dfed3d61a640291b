namespace AmiVault.Protocols.Ec2;

/// <summary>One EC2 Query action (`Action=Name`). Register implementations in the service collection.</summary>
internal interface IEc2Action
{
    string Name { get; }

    Task ExecuteAsync(Ec2Call call);
}

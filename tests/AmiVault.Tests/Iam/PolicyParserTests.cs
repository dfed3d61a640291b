using AmiVault.Iam.Policies;

namespace AmiVault.Tests.Iam;

public sealed class PolicyParserTests
{
    /// <summary>The policy of the AWS page for store and restore tasks, verbatim.</summary>
    internal const string SeedPolicy = """
        { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": [
          "s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject", "s3:AbortMultipartUpload",
          "ebs:CompleteSnapshot", "ebs:GetSnapshotBlock", "ebs:ListChangedBlocks", "ebs:ListSnapshotBlocks",
          "ebs:PutSnapshotBlock", "ebs:StartSnapshot", "ec2:CreateStoreImageTask", "ec2:DescribeStoreImageTasks",
          "ec2:CreateRestoreImageTask", "ec2:GetEbsEncryptionByDefault", "ec2:DescribeTags" ], "Resource": "*" } ] }
        """;

    [Fact]
    public void The_seed_policy_parses_as_written()
    {
        var policy = PolicyParser.Parse(SeedPolicy, PolicyKind.Identity);
        var statement = Assert.Single(policy.Statements);
        Assert.Equal(PolicyEffect.Allow, statement.Effect);
        Assert.Equal(16, statement.Actions.Count);
        Assert.Equal(["*"], statement.Resources);
    }

    [Fact]
    public void Single_strings_stand_for_lists_and_a_single_statement_for_a_list()
    {
        var policy = PolicyParser.Parse("""{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"s3:*","NotResource":"arn:aws:s3:::b/*"}}""", PolicyKind.Identity);
        var statement = Assert.Single(policy.Statements);
        Assert.True(statement.NotAction);
        Assert.True(statement.NotResource);
        Assert.Equal(["s3:*"], statement.Actions);
    }

    [Theory]
    [InlineData("""[]""", "JSON object")]
    [InlineData("""{"Version":"2012-10-17"}""", "Statement")]
    [InlineData("""{"Version":"2012-10-17","Statement":[]}""", "empty")]
    [InlineData("""{"Version":"2020-01-01","Statement":[]}""", "version")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}],"Extra":1}""", "Extra")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Action":"s3:GetObject","Resource":"*"}]}""", "Effect")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}]}""", "effect")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}""", "Action")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}""", "Resource")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"*"}]}""", "not both")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}""", "service:ActionName")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get Object","Resource":"*"}]}""", "service:ActionName")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"bucket/*"}]}""", "ARN format")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Principal":"*"}]}""", "prohibited field Principal")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"BinaryEquals":{"aws:username":"x"}}}]}""", "BinaryEquals")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:CalledVia":"x"}}}]}""", "aws:CalledVia")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NullIfExists":{"aws:username":"true"}}}]}""", "NullIfExists")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"300.1.2.3/8"}}}]}""", "300.1.2.3/8")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}}]}""", "tomorrow")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"NumericLessThan":{"aws:EpochTime":"ten"}}}]}""", "ten")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}]}""", "true")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::${aws:FederatedProvider}/*"}]}""", "aws:FederatedProvider")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Sid":"a","Foo":1}]}""", "Foo")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"} """, "Syntax")]
    public void Identity_policies_that_cannot_be_evaluated_as_written_are_refused(string text, string named)
    {
        var e = Assert.Throws<MalformedPolicyException>(() => PolicyParser.Parse(text, PolicyKind.Identity));
        Assert.Contains(named, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}""", "Principal")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Resource":"*"}]}""", "Resource")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}""", "Service")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"sts:AssumeRole"}]}""", "bob")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/*"},"Action":"sts:AssumeRole"}]}""", "user/*")]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"s3:GetObject"}]}""", "sts:")]
    public void Trust_policies_are_checked_for_what_a_trust_policy_must_be(string text, string named)
    {
        var e = Assert.Throws<MalformedPolicyException>(() => PolicyParser.Parse(text, PolicyKind.Trust));
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Principals_name_accounts_by_id_or_root_arn_and_users_and_roles_by_arn()
    {
        var policy = PolicyParser.Parse("""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":[
              "111111111111","arn:aws:iam::222222222222:root","arn:aws:iam::333333333333:user/ci","arn:aws:iam::333333333333:role/r"]}}]}
            """, PolicyKind.Trust);
        var principals = Assert.Single(policy.Statements).Principals!;
        Assert.Equal(["111111111111", "222222222222"], principals.Accounts.Order());
        Assert.Equal(["arn:aws:iam::333333333333:role/r", "arn:aws:iam::333333333333:user/ci"], principals.Arns.Order());
        Assert.False(principals.Everyone);
    }

    [Theory]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}""", true)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}""", true)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"111111111111"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}""", true)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"aws:PrincipalAccount":"*"}}}]}""", true)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalAccount":"222222222222"}}}]}""", false)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}""", false)]
    [InlineData("""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]}""", false)]
    public void A_resource_policy_granting_to_anyone_is_public(string text, bool isPublic) =>
        Assert.Equal(isPublic, PolicyParser.Parse(text, PolicyKind.Resource).IsPublic);
}

using System.Net;
using AmiVault.Iam.Policies;

namespace AmiVault.Tests.Iam;

public sealed class PolicyEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    private static RequestFacts Facts(
        string? ip = "10.1.2.3",
        string user = "ci",
        string region = "us-east-1",
        bool secure = false,
        Dictionary<string, string>? resourceTags = null,
        Dictionary<string, string>? requestTags = null,
        string? prefix = null) => new()
        {
            PrincipalArn = $"arn:aws:iam::111111111111:user/{user}",
            PrincipalAccount = "111111111111",
            PrincipalType = "User",
            UserName = user,
            UserId = "AIDAEXAMPLE",
            SourceIp = ip is null ? null : IPAddress.Parse(ip),
            RequestedRegion = region,
            CurrentTime = Now,
            SecureTransport = secure,
            ResourceTags = resourceTags,
            RequestTags = requestTags,
            S3Prefix = prefix,
        };

    private static PolicyDecision Eval(string statements, string action, string resource, RequestFacts? facts = null) =>
        PolicyEvaluator.Evaluate(
            [PolicyParser.Parse($$"""{"Version":"2012-10-17","Statement":[{{statements}}]}""", PolicyKind.Identity)],
            action, resource, facts ?? Facts());

    [Theory]
    [InlineData("s3:DeleteObject")]
    [InlineData("s3:GetObject")]
    [InlineData("s3:ListBucket")]
    [InlineData("s3:PutObject")]
    [InlineData("s3:AbortMultipartUpload")]
    [InlineData("ebs:CompleteSnapshot")]
    [InlineData("ebs:GetSnapshotBlock")]
    [InlineData("ebs:ListChangedBlocks")]
    [InlineData("ebs:ListSnapshotBlocks")]
    [InlineData("ebs:PutSnapshotBlock")]
    [InlineData("ebs:StartSnapshot")]
    [InlineData("ec2:CreateStoreImageTask")]
    [InlineData("ec2:DescribeStoreImageTasks")]
    [InlineData("ec2:CreateRestoreImageTask")]
    [InlineData("ec2:GetEbsEncryptionByDefault")]
    [InlineData("ec2:DescribeTags")]
    public void The_seed_policy_allows_each_of_its_actions(string action)
    {
        var seed = PolicyParser.Parse(PolicyParserTests.SeedPolicy, PolicyKind.Identity);
        Assert.Equal(PolicyDecision.Allow, PolicyEvaluator.Evaluate([seed], action, "arn:aws:s3:::any/thing", Facts()));
    }

    [Theory]
    [InlineData("ec2:DeregisterImage")]
    [InlineData("ec2:DeleteSnapshot")]
    [InlineData("s3:DeleteBucket")]
    [InlineData("iam:CreateUser")]
    [InlineData("s3:GetObjectTagging")]
    public void The_seed_policy_allows_nothing_else(string action)
    {
        var seed = PolicyParser.Parse(PolicyParserTests.SeedPolicy, PolicyKind.Identity);
        Assert.Equal(PolicyDecision.NotApplicable, PolicyEvaluator.Evaluate([seed], action, "*", Facts()));
    }

    [Fact]
    public void An_explicit_deny_wins_over_an_allow_in_another_policy()
    {
        var allow = PolicyParser.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""", PolicyKind.Identity);
        var deny = PolicyParser.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:Deregister*","Resource":"*"}]}""", PolicyKind.Identity);
        Assert.Equal(PolicyDecision.ExplicitDeny, PolicyEvaluator.Evaluate([allow, deny], "ec2:DeregisterImage", "arn:aws:ec2:us-east-1::image/ami-1", Facts()));
        Assert.Equal(PolicyDecision.ExplicitDeny, PolicyEvaluator.Evaluate([deny, allow], "ec2:DeregisterImage", "arn:aws:ec2:us-east-1::image/ami-1", Facts()));
        Assert.Equal(PolicyDecision.Allow, PolicyEvaluator.Evaluate([deny, allow], "ec2:DescribeImages", "*", Facts()));
    }

    [Theory]
    [InlineData("""{"Effect":"Allow","Action":"ec2:describe*","Resource":"*"}""", "ec2:DescribeTags", "Allow")]
    [InlineData("""{"Effect":"Allow","Action":"EC2:DescribeTags","Resource":"*"}""", "ec2:DescribeTags", "Allow")]
    [InlineData("""{"Effect":"Allow","Action":"ec2:Describe?ags","Resource":"*"}""", "ec2:DescribeTags", "Allow")]
    [InlineData("""{"Effect":"Allow","Action":"ec2:Describe?","Resource":"*"}""", "ec2:DescribeTags", "NotApplicable")]
    [InlineData("""{"Effect":"Allow","Action":"s3:*","Resource":"*"}""", "ec2:DescribeTags", "NotApplicable")]
    [InlineData("""{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}""", "s3:GetObject", "Allow")]
    [InlineData("""{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}""", "iam:CreateUser", "NotApplicable")]
    [InlineData("""{"Effect":"Deny","NotAction":["ec2:Describe*","s3:Get*"],"Resource":"*"}""", "s3:PutObject", "ExplicitDeny")]
    [InlineData("""{"Effect":"Deny","NotAction":["ec2:Describe*","s3:Get*"],"Resource":"*"}""", "s3:GetObject", "NotApplicable")]
    public void Actions_match_with_wildcards_and_without_regard_to_case(string statement, string action, string expected) =>
        Assert.Equal(Enum.Parse<PolicyDecision>(expected), Eval(statement, action, "arn:aws:s3:::b/k"));

    [Theory]
    [InlineData("arn:aws:s3:::backups/*", "arn:aws:s3:::backups/ami-1.bin", "Allow")]
    [InlineData("arn:aws:s3:::backups/*", "arn:aws:s3:::backups", "NotApplicable")]
    [InlineData("arn:aws:s3:::backups/*", "arn:aws:s3:::other/ami-1.bin", "NotApplicable")]
    [InlineData("arn:aws:s3:::backups/*", "arn:aws:s3:::Backups/ami-1.bin", "NotApplicable")]
    [InlineData("arn:aws:s3:::backup?/*", "arn:aws:s3:::backups/x", "Allow")]
    [InlineData("arn:aws:ec2:*::image/ami-0123", "arn:aws:ec2:us-east-1::image/ami-0123", "Allow")]
    [InlineData("arn:aws:ec2:*::image/ami-0123", "arn:aws:ec2:us-east-1::image/ami-0124", "NotApplicable")]
    [InlineData("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/ci/a", "Allow")]
    [InlineData("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/other/a", "NotApplicable")]
    [InlineData("arn:aws:s3:::literal${*}", "arn:aws:s3:::literal*", "Allow")]
    public void Resources_match_ARN_patterns_case_sensitively(string pattern, string resource, string expected) =>
        Assert.Equal(Enum.Parse<PolicyDecision>(expected), Eval($$"""{"Effect":"Allow","Action":"s3:GetObject","Resource":"{{pattern}}"}""", "s3:GetObject", resource));

    [Fact]
    public void Policy_variables_are_literal_in_2008_policies()
    {
        var old = PolicyParser.Parse("""{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}""", PolicyKind.Identity);
        Assert.Equal(PolicyDecision.NotApplicable, PolicyEvaluator.Evaluate([old], "s3:GetObject", "arn:aws:s3:::home/ci/a", Facts()));
        Assert.Equal(PolicyDecision.Allow, PolicyEvaluator.Evaluate([old], "s3:GetObject", "arn:aws:s3:::home/${aws:username}/a", Facts()));
    }

    [Fact]
    public void NotResource_applies_to_everything_but_the_named_resources()
    {
        const string statement = """{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::backups","arn:aws:s3:::backups/*"]}""";
        Assert.Equal(PolicyDecision.ExplicitDeny, Eval(statement, "s3:GetObject", "arn:aws:s3:::secrets/k"));
        Assert.Equal(PolicyDecision.NotApplicable, Eval(statement, "s3:GetObject", "arn:aws:s3:::backups/k"));
    }

    public static TheoryData<string, FactsCase, bool> Conditions => new()
    {
        { """{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}""", new FactsCase(Facts(ip: "10.1.2.3")), true },
        { """{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}""", new FactsCase(Facts(ip: "192.0.2.1")), false },
        { """{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","10.1.2.3"]}}""", new FactsCase(Facts(ip: "10.1.2.3")), true },
        { """{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}""", new FactsCase(Facts(ip: null)), false },
        { """{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}""", new FactsCase(Facts(ip: "192.0.2.1")), true },
        { """{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}""", new FactsCase(Facts(ip: "10.9.9.9")), false },
        { """{"IpAddress":{"aws:SourceIp":"::1/128"}}""", new FactsCase(Facts(ip: "::1")), true },
        { """{"StringEquals":{"aws:username":"ci"}}""", new FactsCase(Facts(user: "ci")), true },
        { """{"StringEquals":{"aws:username":"CI"}}""", new FactsCase(Facts(user: "ci")), false },
        { """{"StringEqualsIgnoreCase":{"aws:username":"CI"}}""", new FactsCase(Facts(user: "ci")), true },
        { """{"StringNotEquals":{"aws:username":["a","b"]}}""", new FactsCase(Facts(user: "ci")), true },
        { """{"StringNotEquals":{"aws:username":["a","ci"]}}""", new FactsCase(Facts(user: "ci")), false },
        { """{"StringNotEqualsIgnoreCase":{"aws:username":"CI"}}""", new FactsCase(Facts(user: "ci")), false },
        { """{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:user/c*"}}""", new FactsCase(Facts(user: "ci")), true },
        { """{"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/c?"}}""", new FactsCase(Facts(user: "ci")), false },
        { """{"StringEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}""", new FactsCase(Facts(region: "us-east-1")), true },
        { """{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}""", new FactsCase(Facts(region: "us-east-1")), false },
        { """{"StringEquals":{"aws:ResourceTag/team":"infra"}}""", new FactsCase(Facts(resourceTags: new() { ["team"] = "infra" })), true },
        { """{"StringEquals":{"aws:ResourceTag/team":"infra"}}""", new FactsCase(Facts(resourceTags: new() { ["team"] = "web" })), false },
        { """{"StringEquals":{"aws:ResourceTag/team":"infra"}}""", new FactsCase(Facts()), false },
        { """{"StringNotEquals":{"aws:ResourceTag/team":"infra"}}""", new FactsCase(Facts()), true },
        { """{"StringEqualsIfExists":{"aws:ResourceTag/team":"infra"}}""", new FactsCase(Facts()), true },
        { """{"StringEqualsIfExists":{"aws:ResourceTag/team":"infra"}}""", new FactsCase(Facts(resourceTags: new() { ["team"] = "web" })), false },
        { """{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}""", new FactsCase(Facts(prefix: "home/ci/x")), true },
        { """{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}""", new FactsCase(Facts(prefix: "home/bob/x")), false },
        { """{"Null":{"aws:ResourceTag/team":"true"}}""", new FactsCase(Facts()), true },
        { """{"Null":{"aws:ResourceTag/team":"false"}}""", new FactsCase(Facts()), false },
        { """{"Null":{"aws:SourceIp":"false"}}""", new FactsCase(Facts()), true },
        { """{"Bool":{"aws:SecureTransport":"true"}}""", new FactsCase(Facts(secure: false)), false },
        { """{"Bool":{"aws:SecureTransport":false}}""", new FactsCase(Facts(secure: false)), true },
        { """{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}""", new FactsCase(Facts()), true },
        { """{"DateGreaterThan":{"aws:CurrentTime":"2027-01-01"}}""", new FactsCase(Facts()), false },
        { """{"DateGreaterThanEquals":{"aws:CurrentTime":"1796292000"}}""", new FactsCase(Facts()), true },
        { """{"DateEquals":{"aws:CurrentTime":"2026-12-03T10:00:00Z"}}""", new FactsCase(Facts()), true },
        { """{"DateNotEquals":{"aws:CurrentTime":"2026-12-03T10:00:00Z"}}""", new FactsCase(Facts()), false },
        { """{"NumericLessThan":{"aws:EpochTime":1796292001}}""", new FactsCase(Facts()), true },
        { """{"NumericLessThanEquals":{"aws:EpochTime":"1796291999"}}""", new FactsCase(Facts()), false },
        { """{"NumericGreaterThan":{"aws:EpochTime":"1.5"}}""", new FactsCase(Facts()), true },
        { """{"NumericEquals":{"aws:EpochTime":"1796292000"}}""", new FactsCase(Facts()), true },
        { """{"NumericNotEquals":{"aws:EpochTime":"1796292000"}}""", new FactsCase(Facts()), false },
        { """{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}""", new FactsCase(Facts()), true },
        { """{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:user/ci"}}""", new FactsCase(Facts()), true },
        { """{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}}""", new FactsCase(Facts()), true },
        { """{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:user/ci"}}""", new FactsCase(Facts()), false },
        { """{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:user"}}""", new FactsCase(Facts()), false },
        { """{"ForAnyValue:StringEquals":{"aws:TagKeys":["team","env"]}}""", new FactsCase(Facts(requestTags: new() { ["team"] = "a", ["x"] = "b" })), true },
        { """{"ForAnyValue:StringEquals":{"aws:TagKeys":["team","env"]}}""", new FactsCase(Facts(requestTags: new() { ["y"] = "a" })), false },
        { """{"ForAnyValue:StringEquals":{"aws:TagKeys":["team"]}}""", new FactsCase(Facts()), false },
        { """{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}""", new FactsCase(Facts(requestTags: new() { ["team"] = "a", ["env"] = "b" })), true },
        { """{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}""", new FactsCase(Facts(requestTags: new() { ["team"] = "a", ["x"] = "b" })), false },
        { """{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}""", new FactsCase(Facts()), true },
        { """{"ForAllValues:StringNotLike":{"aws:TagKeys":["aws:*"]}}""", new FactsCase(Facts(requestTags: new() { ["team"] = "a" })), true },
        { """{"ForAnyValue:StringLike":{"aws:TagKeys":["aws:*"]}}""", new FactsCase(Facts(requestTags: new() { ["aws:x"] = "a" })), true },
        { """{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["team"]}}""", new FactsCase(Facts()), true },
        { """{"StringEquals":{"aws:username":"ci"},"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}""", new FactsCase(Facts()), false },
        { """{"StringEquals":{"aws:username":"ci","aws:PrincipalType":"User","aws:PrincipalAccount":"111111111111"}}""", new FactsCase(Facts()), true },
        { """{"StringEquals":{"aws:userid":"AIDAEXAMPLE"}}""", new FactsCase(Facts()), true },
    };

    [Theory]
    [MemberData(nameof(Conditions))]
    public void Conditions_decide_whether_a_statement_applies(string condition, FactsCase facts, bool applies)
    {
        var decision = Eval($$"""{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{{condition}}}""", "s3:GetObject", "arn:aws:s3:::b/k", facts.Facts);
        Assert.Equal(applies ? PolicyDecision.Allow : PolicyDecision.NotApplicable, decision);
    }

    [Fact]
    public void A_deny_conditioned_on_the_source_address_blocks_only_outside_it()
    {
        const string statements = """
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}
            """;
        Assert.Equal(PolicyDecision.Allow, Eval(statements, "ec2:DescribeImages", "*", Facts(ip: "10.0.0.1")));
        Assert.Equal(PolicyDecision.ExplicitDeny, Eval(statements, "ec2:DescribeImages", "*", Facts(ip: "127.0.0.1")));
    }

    [Fact]
    public void Trust_and_resource_policies_match_their_principals()
    {
        var trust = PolicyParser.Parse("""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":["222222222222","arn:aws:iam::111111111111:user/ci"]}}]}
            """, PolicyKind.Trust);
        Assert.Equal(PolicyDecision.Allow, PolicyEvaluator.Evaluate([trust], "sts:AssumeRole", null, Facts(user: "ci")));
        Assert.Equal(PolicyDecision.NotApplicable, PolicyEvaluator.Evaluate([trust], "sts:AssumeRole", null, Facts(user: "other")));
        var fromB = new RequestFacts
        {
            PrincipalArn = "arn:aws:sts::222222222222:assumed-role/r/s",
            PrincipalArns = ["arn:aws:sts::222222222222:assumed-role/r/s", "arn:aws:iam::222222222222:role/r"],
            PrincipalAccount = "222222222222",
            PrincipalType = "AssumedRole",
            RequestedRegion = "us-east-1",
            CurrentTime = Now,
        };
        Assert.Equal(PolicyDecision.Allow, PolicyEvaluator.Evaluate([trust], "sts:AssumeRole", null, fromB));

        var bucket = PolicyParser.Parse("""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Principal":{"AWS":"arn:aws:iam::222222222222:role/r"}}]}
            """, PolicyKind.Resource);
        Assert.Equal(PolicyDecision.Allow, PolicyEvaluator.Evaluate([bucket], "s3:GetObject", "arn:aws:s3:::b/k", fromB));
        Assert.Equal(PolicyDecision.NotApplicable, PolicyEvaluator.Evaluate([bucket], "s3:GetObject", "arn:aws:s3:::b/k", Facts()));
    }

    [Theory]
    [InlineData("a*b*c", "a-b-b-c", true)]
    [InlineData("a*b*c", "a-b-b-", false)]
    [InlineData("*", "", true)]
    [InlineData("?", "", false)]
    [InlineData("**a", "ba", true)]
    public void Wildcards_have_no_escapes_and_backtrack(string pattern, string value, bool matches) =>
        Assert.Equal(matches, IamWildcard.Matches(pattern, value, ignoreCase: false));

    [Fact]
    public void A_hostile_pattern_is_matched_in_linear_time()
    {
        var pattern = string.Concat(Enumerable.Repeat("*a", 2000)) + "b";
        var value = new string('a', 100_000);
        Assert.False(IamWildcard.Matches(pattern, value, ignoreCase: false));
    }

    /// <summary>Request facts as a theory argument (the facts type is internal to the server).</summary>
    public sealed class FactsCase
    {
        internal FactsCase(RequestFacts facts) => Facts = facts;

        internal RequestFacts Facts { get; }

        public override string ToString() => $"{Facts.PrincipalArn} from {Facts.SourceIp}";
    }
}

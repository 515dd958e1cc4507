using System.Text;
using Flagger.Modules.Analysis.Providers.Aws;

namespace Flagger.Modules.Tests.Analysis.Providers.Aws;

/// <summary>Vectors of AWS's published SigV4 test suite (aws-sig-v4-test-suite): key AKIDEXAMPLE, us-east-1, service "service".</summary>
public class AwsSigV4Tests
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string Date = "20150830T123600Z";

    private static SigV4Signature Sign(string method, string path, string query, string body, params (string, string)[] extra) =>
        AwsSigV4.Sign(
            new SigV4Request(method, path, query, [("Host", "example.amazonaws.com"), ("X-Amz-Date", Date), .. extra], AwsSigV4.Hash(Encoding.UTF8.GetBytes(body))),
            AccessKey, Secret, "us-east-1", "service", Date);

    [Fact]
    public void Get_vanilla_matches_every_published_step()
    {
        var s = Sign("GET", "/", "", "");

        Assert.Equal(
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            s.CanonicalRequest);
        Assert.Equal(
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            s.StringToSign);
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, " +
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            s.Authorization);
    }

    [Fact]
    public void Get_vanilla_query_order_key_case_sorts_parameters() =>
        Assert.Equal("b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", Sign("GET", "/", "Param2=value2&Param1=value1", "").Signature);

    [Fact]
    public void Get_utf8_encodes_the_path_once() =>
        Assert.Equal("8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85", Sign("GET", "/%E1%88%B4", "", "").Signature);

    [Fact]
    public void Get_header_value_trim_collapses_spaces() =>
        Assert.Equal("acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
            Sign("GET", "/", "", "", ("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")).Signature);

    [Fact]
    public void Post_vanilla_hashes_the_empty_body() =>
        Assert.Equal("5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b", Sign("POST", "/", "", "").Signature);

    [Fact]
    public void Post_x_www_form_urlencoded_signs_the_body_and_content_type()
    {
        var s = Sign("POST", "/", "", "Param1=value1", ("Content-Type", "application/x-www-form-urlencoded"));

        Assert.Equal("content-type;host;x-amz-date", s.SignedHeaders);
        Assert.EndsWith("\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e", s.CanonicalRequest, StringComparison.Ordinal);
        Assert.Equal("ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a", s.Signature);
    }

    [Fact]
    public void Amz_date_is_utc_basic_format() =>
        Assert.Equal(Date, AwsSigV4.AmzDate(new DateTimeOffset(2015, 8, 30, 14, 36, 0, TimeSpan.FromHours(2))));
}

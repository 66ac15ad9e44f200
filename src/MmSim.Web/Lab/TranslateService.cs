using System.Text.Json;
using MmSim.Segmentation;
using MmSim.Translate;

namespace MmSim.Web.Lab;

/// <summary>POST /api/translate: <c>{ "scheme": "x86_64", "address": "0x00007f1234567abc" }</c> (optionally
/// <c>page</c>, and <c>bits</c>/<c>page_size</c> for scheme generic) → the document of
/// <c>mmsim translate --json</c>; or <c>{ "segments": "0:1400:1000,...", "segment": 2, "offset": 53, "access": "r" }</c>
/// → the document of <c>mmsim translate --segments ... --json</c>. Same library calls, same checks.</summary>
public static class TranslateService
{
    public static ApiResult Run(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return ApiResult.BadInput("expected a JSON object { scheme, address }", 0);
            if (Text(root, "segments") is { } segs)
            {
                var table = SegmentTable.Parse(segs, "segments");
                int seg = root.TryGetProperty("segment", out var s) && s.TryGetInt32(out int sn) ? sn
                    : throw new InputException("segment", 0, "expected \"segment\": the segment number");
                string offText = Text(root, "offset") ?? throw new InputException("offset", 0, "expected \"offset\": the offset in the segment");
                if (!SegmentTable.Number(offText, out long off)) throw new InputException("offset", 0, $"invalid offset '{offText}'; expected a non-negative number");
                string access = Text(root, "access") ?? "r";
                var how = access.Length == 1 ? Segment.ParseLetters(access) : null;
                if (how is null) throw new InputException("access", 0, $"invalid access '{access}'; expected r, w or x");
                return ApiResult.Ok(TranslateJson.Of(table.Translate(seg, off, how.Value)));
            }
            var layout = TranslateInput.Layout(Text(root, "scheme") ?? "x86_64", Text(root, "bits"), Text(root, "page_size"), Text(root, "page"));
            string address = Text(root, "address") ?? throw new InputException("address", 0, "expected \"address\", e.g. \"0x7f1234567abc\"");
            ulong va = TranslateInput.ParseAddress(address, "address");
            TranslateInput.CheckWidth(va, layout, "address");
            return ApiResult.Ok(TranslateJson.Of(layout.Split(va)));
        }
        catch (InputException ex)
        {
            return ApiResult.BadInput(ex.Format(), 0);
        }
        catch (JsonException ex)
        {
            return ApiResult.BadInput($"the body is not valid JSON: {ex.Message}", 0);
        }
    }

    /// <summary>A string member, or a number given as one (offset: 53).</summary>
    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v)
            ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetRawText(),
                JsonValueKind.Null => null,
                _ => throw new InputException(name, 0, $"expected \"{name}\" to be a string"),
            }
            : null;
}

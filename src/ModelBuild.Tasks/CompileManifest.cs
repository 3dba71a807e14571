using System.Collections.Generic;
using System.Text;
using Microsoft.Build.Framework;

namespace ModelBuild.Tasks
{
    /// <summary>Writes the compiler's job list as JSON (netstandard2.0 has no JSON writer; this needs only strings).</summary>
    internal static class CompileManifest
    {
        private static readonly string[] JobMetadata =
        {
            "ClassName", "Namespace", "Access", "ModelVersion", "OutputDirectory", "SignatureFile", "AssetListFile", "AssetPathPrefix", "ReportFile", "DependencyFile",
            "Quantize", "Targets", "TargetQuantize", "Optimize", "Verify", "MinCosine", "MaxAbsError", "VerifySamples", "SampleInputs", "SampleShapes", "Fallback",
        };

        public static string Write(IEnumerable<ITaskItem> models, bool signatureOnly, string cacheDirectory)
        {
            var json = new StringBuilder();
            json.Append("{\"signatureOnly\":").Append(signatureOnly ? "true" : "false").Append(",\"cacheDirectory\":");
            AppendString(json, cacheDirectory);
            json.Append(",\"jobs\":[");
            bool first = true;
            foreach (ITaskItem model in models)
            {
                json.Append(first ? "" : ",").Append("{\"Model\":");
                AppendString(json, model.ItemSpec);
                foreach (string name in JobMetadata)
                {
                    json.Append(",\"").Append(name).Append("\":");
                    AppendString(json, model.GetMetadata(name));
                }
                json.Append('}');
                first = false;
            }
            return json.Append("]}").ToString();
        }

        internal static void AppendString(StringBuilder json, string value)
        {
            json.Append('"');
            foreach (char c in value)
            {
                if (c == '"' || c == '\\')
                {
                    json.Append('\\').Append(c);
                }
                else if (c < 0x20 || c > 0x7e)
                {
                    json.Append("\\u").Append(((int)c).ToString("x4"));
                }
                else
                {
                    json.Append(c);
                }
            }
            json.Append('"');
        }
    }
}

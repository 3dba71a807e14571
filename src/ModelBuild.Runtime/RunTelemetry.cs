using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ModelBuild.Runtime;

/// <summary>
/// The <see cref="Meter"/> and <see cref="ActivitySource"/> named <c>ModelBuild.Runtime</c>: each run's duration
/// (histogram <c>modelbuild.run.duration</c>, seconds) and an activity <c>modelbuild.run</c>, both tagged
/// <c>modelbuild.model</c>, <c>modelbuild.variant</c>, <c>modelbuild.execution_provider</c> (and <c>error.type</c> when the
/// run throws). Nothing is timed, tagged or allocated unless a listener is attached.
/// </summary>
public static class RunTelemetry
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "ModelBuild.Runtime";

    /// <summary>The name of the run-duration histogram.</summary>
    public const string DurationInstrument = "modelbuild.run.duration";

    /// <summary>The operation name of the activity started for each run.</summary>
    public const string ActivityName = "modelbuild.run";

    private static readonly string? Version = typeof(RunTelemetry).Assembly.GetName().Version?.ToString();

    internal static readonly ActivitySource Source = new(Name, Version);

    internal static readonly Meter Meter = new(Name, Version);

    internal static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        DurationInstrument, unit: "s", description: "Duration of one model run (ModelSession.Run or RunAsync).");

    /// <summary>What one run records; a default value when nobody listens.</summary>
    internal readonly struct Scope
    {
        private readonly Activity? _activity;
        private readonly long _start;

        private Scope(Activity? activity, long start)
        {
            _activity = activity;
            _start = start;
        }

        public static Scope Start(ModelSession session)
        {
            Activity? activity = Source.HasListeners() ? Source.StartActivity(ActivityName, ActivityKind.Internal) : null;
            if (activity is { IsAllDataRequested: true })
            {
                activity.DisplayName = ActivityName + " " + session.Description.ClassName;
                activity.SetTag("modelbuild.model", session.Description.ClassName);
                activity.SetTag("modelbuild.variant", session.Variant.Target);
                activity.SetTag("modelbuild.execution_provider", session.ExecutionProvider);
            }

            return new Scope(activity, Duration.Enabled ? Stopwatch.GetTimestamp() : 0);
        }

        public void Stop(ModelSession session, Exception? error)
        {
            if (_start != 0)
            {
                var tags = new TagList
                {
                    { "modelbuild.model", session.Description.ClassName },
                    { "modelbuild.variant", session.Variant.Target },
                    { "modelbuild.execution_provider", session.ExecutionProvider },
                };
                if (error is not null)
                {
                    tags.Add("error.type", error.GetType().FullName);
                }

                Duration.Record(Stopwatch.GetElapsedTime(_start).TotalSeconds, tags);
            }

            if (_activity is not null)
            {
                if (error is not null)
                {
                    _activity.SetStatus(ActivityStatusCode.Error, error.Message);
                    _activity.SetTag("error.type", error.GetType().FullName);
                }

                _activity.Dispose();
            }
        }
    }
}

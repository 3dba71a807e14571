using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static ModelBuild.Onnx.Protos.TensorProto.Types;

namespace ModelBuild.Runtime.Tests;

/// <summary>Listeners are process-wide: these tests run alone, so "nobody listens" holds while they check it.</summary>
[CollectionDefinition(nameof(TelemetryTests), DisableParallelization = true)]
public sealed class TelemetryCollection;

[Collection(nameof(TelemetryTests))]
public sealed class TelemetryTests
{
    private static void RunOnce(ModelSession session, float value)
    {
        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, new DenseTensor<float>(new[] { value, value, value }, [1, 3]));
        inputs.Add(1, new DenseTensor<float>(new[] { 1f, 2f, 3f }, [1, 3]));
        using var results = session.Run(inputs);
        Assert.Equal(value + 3f, results.GetTensor<float>(0)[0, 2]);
    }

    [Fact]
    public void EachRun_RecordsDurationAndActivity_TaggedWithModelVariantAndProvider()
    {
        using var fixture = new ModelFixture(TestModels.AddTwo());
        using var session = fixture.Load();
        var measurements = new ConcurrentBag<(double Seconds, Dictionary<string, object?> Tags)>();
        var activities = new ConcurrentBag<Activity>();

        using var meterListener = new MeterListener();
        meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RunTelemetry.Name && instrument.Name == RunTelemetry.DurationInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meterListener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            measurements.Add((value, copy));
        });
        meterListener.Start();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RunTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(activityListener);

        RunOnce(session, 1f);
        RunOnce(session, 2f);
        RunOnce(session, 3f);

        var mine = measurements.Where(m => Equals(m.Tags["modelbuild.model"], "Testadd")).ToList();
        Assert.Equal(3, mine.Count);
        Assert.All(mine, m =>
        {
            Assert.InRange(m.Seconds, 0, 60);
            Assert.Equal("cpu", m.Tags["modelbuild.variant"]);
            Assert.Equal("cpu", m.Tags["modelbuild.execution_provider"]);
            Assert.False(m.Tags.ContainsKey("error.type"));
        });
        var runs = activities.Where(a => Equals(a.GetTagItem("modelbuild.model"), "Testadd")).ToList();
        Assert.Equal(3, runs.Count);
        Assert.All(runs, a =>
        {
            Assert.Equal(RunTelemetry.ActivityName, a.OperationName);
            Assert.Equal("cpu", a.GetTagItem("modelbuild.variant"));
            Assert.Equal("cpu", a.GetTagItem("modelbuild.execution_provider"));
            Assert.True(a.Duration > TimeSpan.Zero);
        });
    }

    [Fact]
    public void FailedRun_IsRecordedWithErrorType()
    {
        // x: float [n] reshaped to [2, 2]: passes the checks before the call, fails in ONNX Runtime unless n = 4.
        using var fixture = new ModelFixture(TestModels.Model(TestModels.Graph("reshape",
            [TestModels.Value("x", DataType.Float, "n")],
            [TestModels.Value("y", DataType.Float, 2, 2)],
            [TestModels.Node("Reshape", ["x", "s"], ["y"])],
            TestModels.Int64Tensor("s", [2, 2], 2))));
        using var session = fixture.Load();
        var errors = new ConcurrentBag<object?>();
        var failedMeasurements = new ConcurrentBag<object?>();
        using var meterListener = new MeterListener();
        meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RunTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meterListener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "error.type")
                {
                    failedMeasurements.Add(tag.Value);
                }
            }
        });
        meterListener.Start();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RunTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.Status == ActivityStatusCode.Error)
                {
                    errors.Add(a.GetTagItem("error.type"));
                }
            },
        };
        ActivitySource.AddActivityListener(activityListener);

        using var inputs = new ModelInputs(session.Description);
        inputs.Add(0, new DenseTensor<float>([3]));
        Assert.Throws<OnnxRuntimeException>(() => session.Run(inputs).Dispose());

        Assert.Equal(typeof(OnnxRuntimeException).FullName, Assert.Single(errors));
        Assert.Equal(typeof(OnnxRuntimeException).FullName, Assert.Single(failedMeasurements));
    }

    [Fact]
    public void NobodyListening_NothingIsEnabled()
    {
        Assert.False(RunTelemetry.Duration.Enabled);
        Assert.False(RunTelemetry.Source.HasListeners());
        using var fixture = new ModelFixture(TestModels.AddTwo());
        using var session = fixture.Load();
        RunOnce(session, 5f);
    }
}

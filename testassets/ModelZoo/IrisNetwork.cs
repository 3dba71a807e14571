namespace ModelZoo;

/// <summary>
/// The iris classifier: standardise, 4 → 16 (ReLU) → 3, softmax. Trained here in plain float
/// arithmetic with full-batch gradient descent and a fixed seed, so every run yields the same
/// weights (and therefore the same model bytes) on a given platform.
/// </summary>
public sealed class IrisNetwork
{
    public const int Inputs = 4;
    public const int Hidden = 16;
    public const int Classes = 3;

    public float[] Mean { get; } = new float[Inputs];
    public float[] Std { get; } = new float[Inputs];
    /// <summary>[Inputs, Hidden], row-major (the ONNX MatMul layout).</summary>
    public float[] W1 { get; } = new float[Inputs * Hidden];
    public float[] B1 { get; } = new float[Hidden];
    /// <summary>[Hidden, Classes], row-major.</summary>
    public float[] W2 { get; } = new float[Hidden * Classes];
    public float[] B2 { get; } = new float[Classes];

    public static IrisNetwork Train(IrisData data, int epochs = 2000, float learningRate = 0.1f, ulong seed = 20251125)
    {
        var net = new IrisNetwork();
        net.Standardise(data.Features);
        net.Initialise(new SplitMix64(seed));

        int n = data.Features.Length;
        var x = data.Features.Select(net.Standardised).ToArray();
        var hidden = new float[n][];
        var probabilities = new float[n][];
        var gradW1 = new float[net.W1.Length];
        var gradB1 = new float[Hidden];
        var gradW2 = new float[net.W2.Length];
        var gradB2 = new float[Classes];
        var dHidden = new float[Hidden];
        var dLogits = new float[Classes];

        for (int epoch = 0; epoch < epochs; epoch++)
        {
            Array.Clear(gradW1); Array.Clear(gradB1); Array.Clear(gradW2); Array.Clear(gradB2);
            for (int s = 0; s < n; s++)
            {
                hidden[s] = net.HiddenLayer(x[s]);
                probabilities[s] = net.OutputLayer(hidden[s]);

                // Softmax cross-entropy: d(loss)/d(logit) = p - onehot, averaged over the batch.
                for (int c = 0; c < Classes; c++)
                {
                    dLogits[c] = (probabilities[s][c] - (c == data.Labels[s] ? 1f : 0f)) / n;
                    gradB2[c] += dLogits[c];
                }

                for (int h = 0; h < Hidden; h++)
                {
                    float sum = 0f;
                    for (int c = 0; c < Classes; c++)
                    {
                        gradW2[h * Classes + c] += hidden[s][h] * dLogits[c];
                        sum += net.W2[h * Classes + c] * dLogits[c];
                    }

                    dHidden[h] = hidden[s][h] > 0f ? sum : 0f;
                    gradB1[h] += dHidden[h];
                    for (int i = 0; i < Inputs; i++)
                    {
                        gradW1[i * Hidden + h] += x[s][i] * dHidden[h];
                    }
                }
            }

            Step(net.W1, gradW1, learningRate);
            Step(net.B1, gradB1, learningRate);
            Step(net.W2, gradW2, learningRate);
            Step(net.B2, gradB2, learningRate);
        }

        return net;
    }

    /// <summary>Class probabilities for one flower, computed like the ONNX graph does.</summary>
    public float[] Predict(ReadOnlySpan<float> features) => OutputLayer(HiddenLayer(Standardised(features.ToArray())));

    public int Classify(ReadOnlySpan<float> features)
    {
        float[] p = Predict(features);
        int best = 0;
        for (int c = 1; c < Classes; c++)
        {
            if (p[c] > p[best]) best = c;
        }

        return best;
    }

    private void Standardise(float[][] features)
    {
        for (int i = 0; i < Inputs; i++)
        {
            double mean = features.Average(f => (double)f[i]);
            double variance = features.Average(f => (f[i] - mean) * (f[i] - mean));
            Mean[i] = (float)mean;
            Std[i] = (float)Math.Sqrt(variance);
        }
    }

    // Glorot-uniform weights, zero biases.
    private void Initialise(SplitMix64 random)
    {
        Fill(W1, MathF.Sqrt(6f / (Inputs + Hidden)), random);
        Fill(W2, MathF.Sqrt(6f / (Hidden + Classes)), random);

        static void Fill(float[] weights, float limit, SplitMix64 random)
        {
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] = (random.NextSingle() * 2f - 1f) * limit;
            }
        }
    }

    private float[] Standardised(float[] features)
    {
        var result = new float[Inputs];
        for (int i = 0; i < Inputs; i++)
        {
            result[i] = (features[i] - Mean[i]) / Std[i];
        }

        return result;
    }

    private float[] HiddenLayer(float[] x)
    {
        var h = new float[Hidden];
        for (int j = 0; j < Hidden; j++)
        {
            float sum = 0f;
            for (int i = 0; i < Inputs; i++)
            {
                sum += x[i] * W1[i * Hidden + j];
            }

            h[j] = MathF.Max(sum + B1[j], 0f);
        }

        return h;
    }

    private float[] OutputLayer(float[] h)
    {
        var logits = new float[Classes];
        for (int c = 0; c < Classes; c++)
        {
            float sum = 0f;
            for (int j = 0; j < Hidden; j++)
            {
                sum += h[j] * W2[j * Classes + c];
            }

            logits[c] = sum + B2[c];
        }

        float max = logits.Max();
        float total = 0f;
        for (int c = 0; c < Classes; c++)
        {
            logits[c] = MathF.Exp(logits[c] - max);
            total += logits[c];
        }

        for (int c = 0; c < Classes; c++)
        {
            logits[c] /= total;
        }

        return logits;
    }

    private static void Step(float[] weights, float[] gradient, float learningRate)
    {
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] -= learningRate * gradient[i];
        }
    }
}

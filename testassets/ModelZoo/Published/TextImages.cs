namespace ModelZoo.Published;

/// <summary>
/// Deterministic images that look like what an OCR model sees: a smooth paper-like gradient with lines of dark,
/// glyph-like strokes, normalized as PaddleOCR does ((pixel - 0.5) / 0.5, so [-1, 1]). Uniform noise would
/// calibrate and judge int8 and fp16 on activations no real input makes: the PP-OCRv4 detector's output on noise is all
/// but zero (max 0.003), so an int8 search on it chases rounding error. Shared by the tests and the benchmarks.
/// </summary>
public static class TextImages
{
    /// <summary>A batch of <see cref="Create"/> images, seeds <paramref name="seed"/>, seed + 1, ...: NCHW [batch, channels, height, width].</summary>
    public static float[] Batch(int batch, int seed, int channels, int height, int width) =>
        [.. Enumerable.Range(seed, batch).SelectMany(s => Create(s, channels, height, width))];

    /// <summary>An NCHW image [1, channels, height, width]; a text line as tall as the image when it is a recognizer crop (height ≤ 64).</summary>
    public static float[] Create(int seed, int channels, int height, int width)
    {
        var random = new SplitMix64(3000 + (ulong)seed);
        var pixels = new float[channels * height * width];
        Background(random, pixels, channels, height, width);
        var ink = new float[channels];
        int lineHeight = height <= 64 ? height : 16 + (int)(random.NextSingle() * 24);
        for (int top = height <= 64 ? 0 : lineHeight / 2; top + lineHeight <= height; top += lineHeight + lineHeight / 2)
        {
            float dark = 0.05f + 0.25f * random.NextSingle();
            for (int c = 0; c < channels; c++) ink[c] = dark + 0.1f * random.NextSingle();
            Line(random, pixels, ink, height, width, top, lineHeight);
        }

        for (int i = 0; i < pixels.Length; i++) pixels[i] = (pixels[i] - 0.5f) / 0.5f;
        return pixels;
    }

    // Light paper: a per-channel level, a linear gradient and a slow ripple (uneven lighting).
    private static void Background(SplitMix64 random, float[] pixels, int channels, int height, int width)
    {
        float slopeX = 0.2f * (random.NextSingle() - 0.5f), slopeY = 0.2f * (random.NextSingle() - 0.5f);
        float ripple = 0.05f * random.NextSingle(), phase = 6.3f * random.NextSingle();
        for (int c = 0; c < channels; c++)
        {
            float level = 0.75f + 0.15f * random.NextSingle();
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    float u = (float)x / width, v = (float)y / height;
                    pixels[(c * height + y) * width + x] = level + slopeX * u + slopeY * v + ripple * MathF.Sin(phase + 5 * u + 3 * v);
                }
            }
        }
    }

    // One line of "characters", each two to four strokes (vertical, horizontal, diagonal) in a cell of the line's height.
    private static void Line(SplitMix64 random, float[] pixels, float[] ink, int height, int width, int top, int lineHeight)
    {
        int glyph = Math.Max(4, lineHeight * 3 / 4), cell = glyph * 2 / 3 + 2, thick = Math.Max(1, glyph / 8);
        int y0 = top + (lineHeight - glyph) / 2;
        int x = (int)(random.NextSingle() * 2 * cell);
        int end = width - (int)(random.NextSingle() * width / 3);
        for (; x + cell <= end; x += cell)
        {
            if (random.NextSingle() < 0.15f) continue; // a space between words
            int strokes = 2 + (int)(random.NextSingle() * 3);
            for (int s = 0; s < strokes; s++)
            {
                int kind = (int)(random.NextSingle() * 3);
                float a = random.NextSingle(), b = random.NextSingle();
                int w = cell - 2;
                for (int t = 0; t < glyph; t++)
                {
                    (int px, int py) = kind switch
                    {
                        0 => (x + (int)(a * (w - thick)), y0 + t),
                        1 => (x + t * w / glyph, y0 + (int)(b * (glyph - thick))),
                        _ => (x + t * w / glyph, y0 + (a < 0.5f ? t : glyph - 1 - t)),
                    };
                    Stamp(pixels, ink, height, width, px, py, thick);
                }
            }
        }
    }

    private static void Stamp(float[] pixels, float[] ink, int height, int width, int x, int y, int thick)
    {
        for (int c = 0; c < ink.Length; c++)
        {
            for (int dy = 0; dy < thick; dy++)
            {
                for (int dx = 0; dx < thick; dx++)
                {
                    int py = y + dy, px = x + dx;
                    if (py < height && px < width) pixels[(c * height + py) * width + px] = ink[c];
                }
            }
        }
    }
}

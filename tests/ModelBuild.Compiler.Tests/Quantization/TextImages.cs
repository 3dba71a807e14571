namespace ModelBuild.Compiler.Tests.Quantization;

/// <summary>
/// Image-like inputs for the OCR models: a light page with dark pen strokes in text lines, normalized as PaddleOCR
/// does ((v / 255 − 0.5) / 0.5). Uniform noise is no substitute: the PP-OCRv4 detector's output on it is all but zero
/// (max 0.003), so an int8 search on noise chases cosine on rounding error and keeps most Convs fp32.
/// </summary>
internal static class TextImages
{
    /// <summary>NCHW, 3 channels, row-major.</summary>
    public static float[] Pages(int batch, int height, int width, int seed)
    {
        var random = new Random(seed);
        var pixels = new float[batch * 3 * height * width];
        for (int b = 0; b < batch; b++)
        {
            var ink = new bool[height, width];
            for (int top = 4 + random.Next(8); top < height - 12; top += 20 + random.Next(12))
            {
                int lineHeight = 8 + random.Next(6);
                for (int left = 4 + random.Next(16); left < width - 12; left += 6 + random.Next(8) + (random.Next(5) == 0 ? 10 : 0))
                {
                    for (int stroke = 0; stroke < 6; stroke++) Stroke(ink, random, top, left, lineHeight, 4 + random.Next(8));
                }
            }

            for (int c = 0; c < 3; c++)
            {
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        double value = ink[y, x] ? 30 + random.Next(40) : 220 + random.Next(30);
                        pixels[((b * 3 + c) * height + y) * width + x] = (float)((value / 255 - 0.5) / 0.5);
                    }
                }
            }
        }

        return pixels;
    }

    /// <summary>A 2-pixel-wide straight stroke between two random points of one character cell.</summary>
    private static void Stroke(bool[,] ink, Random random, int top, int left, int cellHeight, int cellWidth)
    {
        int y0 = top + random.Next(cellHeight), x0 = left + random.Next(cellWidth);
        int y1 = top + random.Next(cellHeight), x1 = left + random.Next(cellWidth);
        for (int t = 0; t <= 16; t++)
        {
            int y = y0 + (y1 - y0) * t / 16, x = x0 + (x1 - x0) * t / 16;
            if (y >= ink.GetLength(0)) continue;
            for (int dx = 0; dx < 2 && x + dx < ink.GetLength(1); dx++) ink[y, x + dx] = true;
        }
    }
}

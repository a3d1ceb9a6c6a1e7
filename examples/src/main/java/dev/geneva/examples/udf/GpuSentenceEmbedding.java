package dev.geneva.examples.udf;

import dev.geneva.udf.Resources;
import dev.geneva.udf.UdfSpec;

/**
 * {@link SentenceEmbedding} declared as GPU work: each running instance asks Ray for one GPU (so on
 * a cluster its tasks land on a worker group with {@code gpus(1)}) and embeds larger batches. The
 * model runs on CUDA when the class path has ONNX Runtime's CUDA build ({@code -Pgpu}) and the GPU
 * and the CUDA 12 / cuDNN 9 libraries are there; otherwise on the CPU, with a log line.
 */
public class GpuSentenceEmbedding extends SentenceEmbedding {
  @Override
  public UdfSpec spec() {
    return super.spec().toBuilder().resources(Resources.of(1, 1, 0)).batchSize(1024).build();
  }
}

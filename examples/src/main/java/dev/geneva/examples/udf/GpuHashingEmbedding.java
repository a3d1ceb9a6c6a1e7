package dev.geneva.examples.udf;

import dev.geneva.udf.Resources;
import dev.geneva.udf.UdfSpec;

/**
 * {@link HashingEmbedding} declared as GPU work: each running instance asks Ray for one GPU, so on
 * a cluster its tasks are placed on a worker group with {@code gpus(1)}. A real model would move
 * its batch to the device in {@code apply}.
 */
public class GpuHashingEmbedding extends HashingEmbedding {
  @Override
  public UdfSpec spec() {
    return super.spec().toBuilder().resources(Resources.of(1, 1, 0)).batchSize(1024).build();
  }
}

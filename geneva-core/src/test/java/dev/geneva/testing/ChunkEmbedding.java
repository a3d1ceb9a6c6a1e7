package dev.geneva.testing;

import dev.geneva.udf.UdfSpec;

/** {@link TextEmbedding} of a chunk view's {@code chunk} column. */
public class ChunkEmbedding extends TextEmbedding {
  @Override
  public UdfSpec spec() {
    return super.spec().toBuilder().inputs("chunk").build();
  }
}

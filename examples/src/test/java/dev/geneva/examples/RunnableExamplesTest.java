package dev.geneva.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples that run locally do run (the cluster ones are only compiled). */
class RunnableExamplesTest {
  @TempDir Path tmp;

  @Test
  void statefulUdfLoadsItsModelOncePerWorker() throws Exception {
    StatefulModelUdf.LOADS.set(0);
    StatefulModelUdf.main(new String[] {tmp.resolve("stateful").toString(), "20000"});
    assertThat(StatefulModelUdf.LOADS.get())
        .isBetween(1, Runtime.getRuntime().availableProcessors());
  }

  @Test
  void asyncBackfillCancelsAndResumes() throws Exception {
    AsyncBackfill.main(new String[] {tmp.resolve("async").toString(), "40000"});
  }

  @Test
  void ragPipelineRefreshesIncrementallyAndFindsAnAppendedPassage() throws Exception {
    RagPipeline.Outcome o = RagPipeline.run(tmp.resolve("rag"), 120);

    assertThat(o.first().sourceRowsAdded()).isEqualTo(120);
    assertThat(o.first().viewRowsAdded()).isEqualTo(120 * RagPipeline.SENTENCES);
    assertThat(o.plan().sourceRowsToAdd()).isEqualTo(20);
    assertThat(o.plan().viewRowsToDelete()).isEqualTo(10 * RagPipeline.SENTENCES);
    assertThat(o.second().sourceRowsAdded()).isEqualTo(20);
    assertThat(o.second().viewRowsDeleted()).isEqualTo(10 * RagPipeline.SENTENCES);
    assertThat(o.second().backfills().get("embedding").rowsProcessed())
        .isEqualTo(20 * RagPipeline.SENTENCES);
    assertThat(o.passages()).isEqualTo((120 + 20 - 10) * RagPipeline.SENTENCES);
    assertThat(o.hits()).isNotEmpty();
    assertThat(o.hits().get(0).text()).isEqualTo(o.query());
    assertThat(o.hits().get(0).cosine()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
  }
}

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
}

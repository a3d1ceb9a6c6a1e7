package dev.geneva.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** UDTF tasks and results as they travel to and from workers. */
class UdtfTaskEncodingTest {
  private static UdtfTask task(int id, int fragment, List<Long> ranges) {
    return new UdtfTask(
        id,
        "/db/chunks.lance",
        "/db/docs.lance",
        Map.of("aws_secret_access_key", "s3cr3t"),
        7,
        fragment,
        List.of("id", "text"),
        "id > 3",
        "com.example.Chunker",
        "2",
        64,
        "{\"fields\":[]}",
        ranges,
        "f" + fragment + "-v7-abc");
  }

  @Test
  void toBytes_whenSeveralTasks_roundTripsInOrder() {
    List<UdtfTask> tasks =
        List.of(
            task(0, 1, List.of(1L << 32, (1L << 32) + 10)), task(1, 3, List.of(5L, 6L, 8L, 9L)));

    assertThat(UdtfTask.listFromBytes(UdtfTask.toBytes(tasks))).isEqualTo(tasks);
  }

  @Test
  void wants_whenIdInOrOutsideTheRanges_saysSo() {
    UdtfTask t = task(0, 0, List.of(2L, 5L, 9L, 10L, 20L, 40L));

    assertThat(List.of(2L, 4L, 9L, 20L, 39L)).allMatch(t::wants);
    assertThat(List.of(0L, 1L, 5L, 8L, 10L, 19L, 40L, 41L)).noneMatch(t::wants);
    assertThat(t.wantedRows()).isEqualTo(3 + 1 + 20);
  }

  @Test
  void constructor_whenRangesUnsortedEmptyOrOdd_refuses() {
    assertThatThrownBy(() -> task(0, 0, List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> task(0, 0, List.of(1L))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> task(0, 0, List.of(5L, 5L)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> task(0, 0, List.of(5L, 8L, 7L, 9L)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toString_whenOptionsHoldSecrets_namesOnlyTheKeys() {
    assertThat(task(0, 1, List.of(0L, 1L)).toString())
        .contains("aws_secret_access_key")
        .doesNotContain("s3cr3t");
  }

  @Test
  void result_roundTripsAndAPieceGoesWithViewRows() {
    List<UdtfTaskResult> results =
        List.of(
            new UdtfTaskResult(1, "_geneva/udtf/f1.lance", 10, 31, 1, "w-1"),
            new UdtfTaskResult(2, "", 4, 0, 4, "w-2"));

    assertThat(UdtfTaskResult.listFromBytes(UdtfTaskResult.toBytes(results))).isEqualTo(results);
    assertThatThrownBy(() -> new UdtfTaskResult(1, "", 10, 3, 0, "w"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new UdtfTaskResult(1, "p.lance", 10, 0, 0, "w"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UdtfTaskResult.fromBytes(task(0, 1, List.of(0L, 1L)).toBytes()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a UDTF task result");
  }
}

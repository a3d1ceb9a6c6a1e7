package dev.geneva.internal.lance;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.Transaction;
import com.lancedb.lance.operation.UpdateConfig;
import com.lancedb.lance.operation.UpdateMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Updates entries of a Lance table's config, keeping the others ({@code Dataset.updateConfig}
 * replaces the whole config, Lance's own {@code lance.*} entries included).
 */
public final class TableConfig {
  private TableConfig() {}

  /**
   * Sets and removes entries in one commit on top of {@code ds}'s version. Lance refuses the commit
   * (a commit conflict) when an update committed since that version set or removed one of the same
   * keys, which makes this a compare-and-set of those keys.
   *
   * @param ds the table at the version the caller read
   * @param set entries to set
   * @param remove keys to remove
   * @throws RuntimeException from Lance, e.g. a commit conflict
   */
  public static void update(Dataset ds, Map<String, String> set, Set<String> remove) {
    Map<String, String> updates = new HashMap<>(set);
    for (String key : remove) {
      updates.put(key, null);
    }
    if (updates.isEmpty()) {
      return;
    }
    Transaction transaction =
        new Transaction.Builder(ds)
            .readVersion(ds.version())
            .operation(
                UpdateConfig.builder()
                    .configUpdates(UpdateMap.builder().updates(updates).replace(false).build())
                    .build())
            .build();
    transaction.commit().close();
  }
}

package dev.geneva;

import com.lancedb.lance.namespace.dir.DirectoryNamespace;
import com.lancedb.lance.namespace.model.ListTablesRequest;
import com.lancedb.lance.namespace.model.ListTablesResponse;
import dev.geneva.internal.lance.LanceErrors;
import dev.geneva.internal.lance.UriRedaction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;

/** Lists the tables of a database in an object store, through Lance's directory namespace. */
final class RemoteListing {
  private RemoteListing() {}

  static List<String> tableNames(
      String uri, Map<String, String> storageOptions, BufferAllocator allocator) {
    Map<String, String> config = new HashMap<>();
    config.put("root", uri);
    storageOptions.forEach(
        (k, v) -> {
          config.put("storage." + k, v);
          // OpenDAL, which lists the bucket, names the AWS options without the "aws_" prefix.
          if (k.startsWith("aws_")) {
            config.putIfAbsent("storage." + k.substring(4), v);
          }
        });
    List<String> names = new ArrayList<>();
    try (DirectoryNamespace ns = new DirectoryNamespace()) {
      ns.initialize(config, allocator);
      String token = null;
      do {
        ListTablesRequest request = new ListTablesRequest().id(List.of());
        if (token != null) {
          request.pageToken(token);
        }
        ListTablesResponse response = ns.listTables(request);
        names.addAll(response.getTables());
        token = response.getPageToken();
      } while (token != null && !token.isEmpty());
    } catch (Exception e) {
      throw LanceErrors.translate("cannot list the tables in " + UriRedaction.redact(uri), uri, e);
    }
    return names.stream().sorted().toList();
  }
}

// Geneva quickstart for JShell and notebooks: a local table, a UDF column, a backfill.
// Run it from the repository root with the command in README.md ("JShell and notebooks").
// UDFs must be compiled classes on the class path (workers recreate them by name), so this script
// uses the examples' HashingEmbedding and WordCount rather than classes typed into JShell.
import dev.geneva.*;
import dev.geneva.examples.*;
import dev.geneva.examples.udf.*;
import java.nio.file.*;
import java.util.*;

Path dir = Path.of(System.getProperty("java.io.tmpdir"), "geneva-jshell-db");
Quickstart.deleteRecursively(dir);
Connection db = Geneva.connect(dir.toString());
Table docs = Quickstart.createDocs(db, 20_000);
docs.addColumns(Map.of("embedding", new HashingEmbedding(), "words", new WordCount()));
BackfillOptions options = BackfillOptions.builder().listener(new ConsoleProgress(System.out)).build();
BackfillResult words = docs.backfill("words", options);
BackfillResult embedding = docs.backfill("embedding", options);
System.out.printf("%,d + %,d rows computed%n", words.rowsProcessed(), embedding.rowsProcessed());
docs.head(3, "id", "text", "words").forEach(System.out::println);
db.close();
/exit

package dev.geneva.examples.udf;

import dev.geneva.udf.ErrorPolicy;
import dev.geneva.udf.ErrorRule;
import dev.geneva.udf.Row;
import dev.geneva.udf.ScalarUdf;
import dev.geneva.udf.UdfSpec;
import dev.geneva.udf.UdfTypes;
import java.io.IOException;

/** The {@code lang} field of the struct column {@code info}, "und" when it has none. */
// docs:begin readme-lang
public class Lang implements ScalarUdf<String> {
  @Override
  public UdfSpec spec() {
    return UdfSpec.builder()
        .inputs("info") // a struct column
        .output(UdfTypes.utf8())
        .version("2")
        .errorPolicy(
            ErrorPolicy.of(
                ErrorRule.retry(IOException.class).matching("(?i)rate limit").maxAttempts(5),
                ErrorRule.skip(IllegalArgumentException.class)))
        .build();
  }

  @Override
  public String apply(Row row) {
    return row.isNull("info.lang") ? "und" : row.getString("info.lang");
  }
}
// docs:end readme-lang

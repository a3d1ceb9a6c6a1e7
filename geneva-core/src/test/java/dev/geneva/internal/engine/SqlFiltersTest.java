package dev.geneva.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlFiltersTest {
  @Test
  void check_whenParenthesesSemicolonsOrDashesAreQuoted_accepts() {
    for (String ok :
        List.of(
            "text = 'a)b'",
            "text = 'it''s -- not a comment; really'",
            "text = \"(\"",
            "`odd) name` = 1",
            "`a``b` = 1 AND (x IN (1, 2) OR y IS NULL)",
            "text = ''",
            "id - -1 > 0",
            "a / *b")) {
      assertThatCode(() -> SqlFilters.check("where", ok)).as(ok).doesNotThrowAnyException();
    }
  }

  @Test
  void check_whenQuoteOpenedButNotClosed_pointsAtTheOpeningQuote() {
    assertThatThrownBy(() -> SqlFilters.check("where", "id = 1 OR text = 'abc"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("position 18")
        .hasMessageContaining("never closed; close it with '");
    assertThatThrownBy(() -> SqlFilters.check("where", "`name = 1"))
        .hasMessageContaining("the name quoted with ` here is never closed");
  }

  @Test
  void check_whenNestedParenthesisLeftOpen_pointsAtTheOutermostOpenOne() {
    assertThatThrownBy(() -> SqlFilters.check("where", "a = 1 AND ((b = 2)"))
        .hasMessageContaining("position 11")
        .hasMessageContaining("1 parenthesis left open");
  }

  @Test
  void wrap_whenFilterChecked_putsItInParentheses() {
    assertThat(SqlFilters.wrap("a = 1 OR b = 2")).isEqualTo("(a = 1 OR b = 2)");
  }
}

/**
 * The code shown in {@code docs/*.md} and {@code README.md}, between {@code // docs:begin <name>}
 * and {@code // docs:end <name>} markers, so that it compiles with every build; {@code
 * DocsSnippetsTest} checks that each Java block of the docs matches a marked region.
 */
package dev.geneva.examples.docs;

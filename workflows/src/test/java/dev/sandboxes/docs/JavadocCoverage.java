package dev.sandboxes.docs;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * What of a public API has no javadoc: every public type, and every public method and constructor
 * of a public type (interface members count as public), read from the sources with javac's parser.
 * A method marked {@code @Override} inherits its comment; a record's accessors are documented by
 * the record's {@code @param} tags and are not looked for. {@code internal} packages are skipped.
 */
public final class JavadocCoverage {
  private JavadocCoverage() {}

  /**
   * The undocumented members of the {@code .java} files under {@code paths} (directories or
   * files), as {@code "File.java: Type.member"} lines; empty when all are documented.
   */
  public static List<String> missing(List<Path> paths) {
    List<Path> files = new ArrayList<>();
    for (Path path : paths) {
      try (Stream<Path> walk = Files.walk(path)) {
        walk.filter(p -> p.toString().endsWith(".java") && !p.toString().contains("/internal/")
            && !p.getFileName().toString().equals("package-info.java")).sorted().forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no sources under " + paths);
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> missing = new ArrayList<>();
    try (StandardJavaFileManager fileManager = javac.getStandardFileManager(null, null, null)) {
      JavacTask task = (JavacTask) javac.getTask(null, fileManager, null, List.of("-proc:none"), null,
          fileManager.getJavaFileObjectsFromPaths(files));
      DocTrees docs = DocTrees.instance(task);
      for (CompilationUnitTree unit : task.parse()) {
        String file = Path.of(unit.getSourceFile().toUri()).getFileName().toString();
        TreePath top = new TreePath(unit);
        for (Tree type : unit.getTypeDecls()) {
          if (type instanceof ClassTree declared && declared.getModifiers().getFlags().contains(Modifier.PUBLIC)) {
            check(docs, new TreePath(top, declared), file, missing);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return missing;
  }

  private static void check(DocTrees docs, TreePath path, String file, List<String> missing) {
    ClassTree type = (ClassTree) path.getLeaf();
    if (docs.getDocCommentTree(path) == null) {
      missing.add(file + ": type " + type.getSimpleName());
    }
    boolean membersPublic = type.getKind() == Tree.Kind.INTERFACE || type.getKind() == Tree.Kind.ANNOTATION_TYPE;
    for (Tree member : type.getMembers()) {
      Set<Modifier> flags = member instanceof MethodTree method ? method.getModifiers().getFlags()
          : member instanceof ClassTree nested ? nested.getModifiers().getFlags() : Set.of();
      if (!flags.contains(Modifier.PUBLIC) && !(membersPublic && !flags.contains(Modifier.PRIVATE))) {
        continue;
      }
      if (member instanceof MethodTree method) {
        boolean overrides = method.getModifiers().getAnnotations().stream()
            .anyMatch(a -> a.getAnnotationType().toString().equals("Override"));
        if (!overrides && docs.getDocCommentTree(new TreePath(path, method)) == null) {
          missing.add(file + ": " + type.getSimpleName() + "."
              + (method.getName().contentEquals("<init>") ? type.getSimpleName() + "(…)" : method.getName() + "(…)"));
        }
      } else if (member instanceof ClassTree) {
        check(docs, new TreePath(path, member), file, missing);
      }
    }
  }
}

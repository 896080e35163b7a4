package dev.sandboxes.determinism;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.base.DescribedPredicate.or;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget.CodeUnitAccessTarget;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInterface;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import java.lang.annotation.Annotation;
import java.nio.charset.Charset;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.Calendar;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TimeZone;
import java.util.Timer;
import java.util.TimerTask;
import java.util.TreeSet;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.BaseStream;
import java.util.stream.Collectors;

/**
 * Static checks that workflow code stays deterministic, run in the unit build of each module that
 * holds workflow code ({@link WorkflowDeterminismContract}): our stand-in for Temporal's
 * {@code temporal-workflowcheck}, which is not published to Maven.
 *
 * <p><b>Scope.</b> Workflow code is every class that implements a {@code @WorkflowInterface} or
 * uses {@link Workflow} or {@link Async} (both work only on a workflow thread), and every class of
 * the checked module those reach, transitively. Whatever runs inside a workflow task is reached
 * that way, whatever package it lives in; client-side code (starters, {@code dev.sandboxes.client})
 * is not. The walk stops at classes workflow code must not depend on at all, which
 * {@link #noActivityOrPlatformDependencies} reports instead.
 *
 * <p><b>Not covered.</b> The rules see what workflow code calls itself, not what the JDK or a
 * library does behind the call (e.g. the default locale read inside {@code String.format}), and
 * they cannot see {@code synchronized} blocks or reflection. {@code Set.of}/{@code Map.of} iterate
 * in an order salted per JVM, yet are not flagged: workflow code uses them for constants, lookups
 * and payloads ({@code SearchAttributeKeys.DEFINITIONS}, {@code SandboxStatus.tags}), never
 * to order commands, and a ban would need an exemption for every one. Mutable objects behind a {@code static final} field are not detected either. The
 * replay tests remain the check of behaviour; these rules catch the usual mistakes at build time.
 */
public final class WorkflowDeterminismRules {
  private WorkflowDeterminismRules() {}

  /**
   * The production classes of one module: everything in the classes directory (or jar) that
   * {@code moduleClass} was loaded from. Neither other modules nor test classes, so the fixtures of
   * {@code dev.sandboxes.determinism.fixtures} are never checked as real code.
   */
  public static JavaClasses productionClasses(Class<?> moduleClass) {
    return new ClassFileImporter().importUrl(moduleClass.getProtectionDomain().getCodeSource().getLocation());
  }

  /** Classes of {@code classes} that run inside workflow tasks (see the class comment). */
  public static DescribedPredicate<JavaClass> workflowCode(JavaClasses classes) {
    Set<String> reached = new HashSet<>();
    Deque<JavaClass> todo = new ArrayDeque<>();
    classes.stream().filter(WORKFLOW_ENTRY_POINT.and(not(FORBIDDEN_IN_WORKFLOWS))).forEach(todo::add);
    while (!todo.isEmpty()) {
      JavaClass next = todo.poll();
      if (!reached.add(next.getName())) {
        continue;
      }
      for (Dependency dependency : next.getDirectDependenciesFromSelf()) {
        String target = dependency.getTargetClass().getBaseComponentType().getName();
        if (classes.contain(target) && !FORBIDDEN_IN_WORKFLOWS.test(classes.get(target))) {
          todo.add(classes.get(target));
        }
      }
    }
    return describe("are workflow code", javaClass -> reached.contains(javaClass.getName()));
  }

  /** Every rule below, for one scope. */
  public static List<ArchRule> all(DescribedPredicate<JavaClass> workflowCode) {
    return List.of(noWallClock(workflowCode), noRandomness(workflowCode), noThreadsOrBlocking(workflowCode),
        noHostEnvironment(workflowCode), noIO(workflowCode), noMutableStaticState(workflowCode),
        noActivityOrPlatformDependencies(workflowCode), noHashOrderedCollections(workflowCode));
  }

  public static ArchRule noWallClock(DescribedPredicate<JavaClass> workflowCode) {
    return noClasses().that(workflowCode).should().accessTargetWhere(or(
            to(System.class, "currentTimeMillis", "nanoTime"),
            describe("now() of java.time", access -> access.getTargetOwner().getPackageName().equals("java.time")
                && access.getName().equals("now")),
            to(Date.class, "<init>").and(withFewerParametersThan(1)).as("new Date()"),
            to(Calendar.class, "getInstance")))
        .orShould().dependOnClassesThat(belongToAnyOf(Clock.class, InstantSource.class))
        .because("replay runs on another day: workflow code reads the time recorded in its history, "
            + "Workflow.currentTimeMillis(), and waits with Workflow.sleep or Workflow.newTimer");
  }

  public static ArchRule noRandomness(DescribedPredicate<JavaClass> workflowCode) {
    return noClasses().that(workflowCode).should().accessTargetWhere(or(
            describe("constructors of java.util.Random and its subclasses", access -> access.getName().equals("<init>")
                && access.getTargetOwner().isAssignableTo(Random.class)),
            to(Math.class, "random"),
            to(StrictMath.class, "random"),
            to(UUID.class, "randomUUID"),
            to(Collections.class, "shuffle").and(withFewerParametersThan(2)).as("Collections.shuffle(List)")))
        .orShould().dependOnClassesThat(belongToAnyOf(ThreadLocalRandom.class, SecureRandom.class,
            SplittableRandom.class))
        .because("replay must draw the same numbers: workflow code uses Workflow.newRandom() and "
            + "Workflow.randomUUID(), which are seeded from the history");
  }

  public static ArchRule noThreadsOrBlocking(DescribedPredicate<JavaClass> workflowCode) {
    ArchRule noThreads = noClasses().that(workflowCode).should().dependOnClassesThat(or(
            belongToAnyOf(Thread.class, ThreadGroup.class, ThreadLocal.class, InheritableThreadLocal.class,
                Timer.class, TimerTask.class),
            resideInAnyPackage("java.util.concurrent..")
                .and(not(resideInAnyPackage("java.util.concurrent.atomic")))
                .and(not(belongToAnyOf(TimeUnit.class)))
                .as("reside in java.util.concurrent (except atomic and TimeUnit)")))
        .orShould().accessTargetWhere(or(
            to(Object.class, "wait", "notify", "notifyAll"),
            describe("parallel streams", access -> access.getName().equals("parallelStream")
                && access.getTargetOwner().isAssignableTo(Collection.class)
                || access.getName().equals("parallel") && access.getTargetOwner().isAssignableTo(BaseStream.class))))
        .because("Temporal runs a workflow on one thread at a time and replays it the same way: "
            + "concurrency goes through Async, Promise, Workflow.await, WorkflowLock and WorkflowQueue, "
            + "waiting through Workflow.sleep");
    ArchRule noMonitors = methods().that().areDeclaredInClassesThat(workflowCode)
        .should().notHaveModifier(JavaModifier.SYNCHRONIZED)
        .because("a monitor can block a workflow thread outside Temporal's control; use Workflow.newWorkflowLock()");
    return CompositeArchRule.of(noThreads).and(noMonitors);
  }

  public static ArchRule noHostEnvironment(DescribedPredicate<JavaClass> workflowCode) {
    return noClasses().that(workflowCode).should().accessTargetWhere(or(
            to(System.class, "getenv", "getProperty", "getProperties"),
            to(Integer.class, "getInteger"),
            to(Long.class, "getLong"),
            to(Boolean.class, "getBoolean"),
            to(Locale.class, "getDefault"),
            to(TimeZone.class, "getDefault"),
            to(ZoneId.class, "systemDefault"),
            to(Charset.class, "defaultCharset")))
        .orShould().dependOnClassesThat(belongToAnyOf(Runtime.class))
        .because("a replay may run on another worker with other settings: workflow code takes its "
            + "configuration from its input or the worker's constructor arguments (e.g. SandboxLimits)");
  }

  public static ArchRule noIO(DescribedPredicate<JavaClass> workflowCode) {
    return noClasses().that(workflowCode).should().dependOnClassesThat(or(
            resideInAnyPackage("java.io..", "java.nio.file..", "java.nio.channels..", "java.net..", "java.sql..",
                "javax.net..")
                .and(not(belongToAnyOf(java.io.Serializable.class)))
                .as("are I/O or network types (java.io, java.nio.file, java.nio.channels, java.net, java.sql)"),
            belongToAnyOf(ProcessBuilder.class, Process.class, ProcessHandle.class),
            name("org.slf4j.LoggerFactory")))
        .orShould().accessTargetWhere(to(System.class, "out", "err", "in"))
        .because("I/O belongs in activities, where it is retried and recorded once; workflow code logs "
            + "through Workflow.getLogger, which stays quiet during replay");
  }

  public static ArchRule noMutableStaticState(DescribedPredicate<JavaClass> workflowCode) {
    return fields().that().areDeclaredInClassesThat(workflowCode).and().areStatic()
        .should().beFinal()
        .because("a static field is shared by every workflow run on the worker, so a run (or its "
            + "replay) would see what other runs left there; per-run state lives in fields or WorkflowLocal")
        // a module's workflow code may have no static fields at all; the class rules guard the scope
        .allowEmptyShould(true);
  }

  public static ArchRule noActivityOrPlatformDependencies(DescribedPredicate<JavaClass> workflowCode) {
    return noClasses().that(workflowCode).should().dependOnClassesThat(FORBIDDEN_IN_WORKFLOWS)
        .because("workflows reach the platform only through activity stubs: never fabric8 or a runtime "
            + "directly, never an activity implementation or the activity context, never a client "
            + "(it calls the server outside the history), never Spring beans");
  }

  public static ArchRule noHashOrderedCollections(DescribedPredicate<JavaClass> workflowCode) {
    return noClasses().that(workflowCode).should().accessTargetWhere(or(
            describe("constructors of HashMap, HashSet, Hashtable, IdentityHashMap, WeakHashMap",
                access -> access.getName().equals("<init>") && belongToAnyOf(HashMap.class, HashSet.class,
                    Hashtable.class, IdentityHashMap.class, WeakHashMap.class).test(access.getTargetOwner())),
            to(Collectors.class, "toSet", "toUnmodifiableSet", "toUnmodifiableMap"),
            to(Collectors.class, "toMap").and(withFewerParametersThan(4)).as("Collectors.toMap without a map factory"),
            to(Collectors.class, "groupingBy").and(withFewerParametersThan(3))
                .as("Collectors.groupingBy without a map factory")))
        .because("iterating a hash-ordered collection can order commands differently on another JVM "
            + "(identity hash codes, e.g. of enums and promises): use LinkedHashMap/LinkedHashSet, TreeMap, "
            + "EnumMap, or the Collectors overloads that take a map or collection factory");
  }

  /**
   * What workflow code must not depend on: fabric8 and the runtimes, activity implementations and
   * the activity context, clients, Spring.
   */
  static final DescribedPredicate<JavaClass> FORBIDDEN_IN_WORKFLOWS = or(
      resideInAnyPackage("io.fabric8..", "dev.sandboxes.runtime..", "dev.sandboxes.client..", "io.temporal.client..",
          "io.temporal.serviceclient..", "org.springframework.."),
      belongToAnyOf(Activity.class, ActivityExecutionContext.class),
      implementing(ActivityInterface.class))
      .as("are fabric8, runtimes, activity implementations, the activity context, clients or Spring");

  private static final DescribedPredicate<JavaClass> WORKFLOW_ENTRY_POINT = or(
      implementing(WorkflowInterface.class),
      describe("use Workflow/Async", javaClass -> javaClass.getDirectDependenciesFromSelf().stream()
          .anyMatch(d -> belongToAnyOf(Workflow.class, Async.class).test(d.getTargetClass()))));

  /** Classes (not interfaces) that implement an interface annotated with {@code annotation}. */
  private static DescribedPredicate<JavaClass> implementing(Class<? extends Annotation> annotation) {
    return describe("implement an @" + annotation.getSimpleName(), javaClass -> !javaClass.isInterface()
        && javaClass.getAllRawInterfaces().stream().anyMatch(i -> i.isAnnotatedWith(annotation)));
  }

  /**
   * Accesses to members of {@code owner} by name ({@code <init>} names its constructors), also
   * through a subclass: {@code this.wait()} names the caller's class, not {@code Object}.
   */
  private static DescribedPredicate<JavaAccess<?>> to(Class<?> owner, String... members) {
    Set<String> names = new TreeSet<>(List.of(members));
    return describe(owner.getSimpleName() + "." + String.join("/", names),
        access -> names.contains(access.getName()) && (access.getTargetOwner().isEquivalentTo(owner)
            || access.getTarget().resolveMember().map(m -> m.getOwner().isEquivalentTo(owner)).orElse(false)));
  }

  private static DescribedPredicate<JavaAccess<?>> withFewerParametersThan(int count) {
    return describe("with fewer than " + count + " parameters", access -> access.getTarget()
        instanceof CodeUnitAccessTarget target && target.getRawParameterTypes().size() < count);
  }
}

package dev.sandboxes.plugin;

import dev.sandboxes.batch.BatchRequest;
import dev.sandboxes.model.ExecRequest;
import dev.sandboxes.model.LogRequest;
import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import dev.sandboxes.model.UnknownFields;
import dev.sandboxes.workflow.SandboxRequest;
import dev.sandboxes.workflow.VolumeRequest;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.failure.v1.Failure;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DataConverterException;
import dev.sandboxes.model.ExecOutputRequest;
import dev.sandboxes.model.Violation;
import dev.sandboxes.reaper.ReapRequest;
import java.util.ArrayList;
import java.util.List;
import io.temporal.common.converter.GlobalDataConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.payload.context.SerializationContext;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.unsafe.WorkflowUnsafe;
import java.lang.reflect.Type;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.annotation.Nonnull;

/**
 * The plugin's data converter, around the client's: everything is encoded and decoded by the
 * converter it wraps, and two things are added.
 *
 * <p><b>Documented rejections.</b> It writes an update validator's rejection with the documented
 * error type ({@link SandboxErrors}, such as {@code SandboxNotRunning}) instead of the Java class
 * name of the model exception the validator threw. Why a converter: the Java SDK turns whatever a
 * validator throws into the rejection's failure through the client's data converter, with the
 * exception's class name as the type; an {@link ApplicationFailure} thrown there arrives as the
 * SDK's internal wrapper class instead. So the workflows throw the model's exceptions and this
 * converter, which sees them on the workflow thread while an update is being validated, gives
 * them their documented type. Activities and clients are not touched (only a model exception on
 * a workflow thread with a current update is rewritten).
 *
 * <p><b>Unknown fields.</b> Each request it decodes from a plain JSON payload ({@link #CHECKED}:
 * the workflows' inputs and the exec and logs arguments) is checked for fields its type does not know ({@link UnknownFieldDetector}); what
 * it finds is recorded for the decoded object in {@link UnknownFields}, where the workflows and
 * the update validators look before they accept a request. The value itself is the wrapped
 * converter's, unchanged.
 *
 * <p>The plugin installs it when it is registered on the client.
 */
final class SandboxDataConverter implements DataConverter {
  private final DataConverter delegate;

  private SandboxDataConverter(DataConverter delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /**
   * {@code converter}, writing validators' rejections with their documented types and recording
   * the unknown fields of what it decodes; the SDK's global converter when {@code converter} is
   * null (client options that set none).
   */
  static DataConverter wrap(DataConverter converter) {
    DataConverter base = converter == null ? GlobalDataConverter.get() : converter;
    return base instanceof SandboxDataConverter ? base : new SandboxDataConverter(base);
  }

  /** The failure a rejection should carry: the model exception as an application failure of its type. */
  static Throwable documented(Throwable thrown) {
    if (thrown instanceof SandboxException e && WorkflowUnsafe.isWorkflowThread()
        && Workflow.getCurrentUpdateInfo().isPresent()) {
      return ApplicationFailure.newNonRetryableFailure(e.getMessage(), e.type());
    }
    return thrown;
  }

  @Override
  public Failure exceptionToFailure(@Nonnull Throwable throwable) {
    return delegate.exceptionToFailure(documented(throwable));
  }

  @Override
  public RuntimeException failureToException(@Nonnull Failure failure) {
    return delegate.failureToException(failure);
  }

  @Override
  public DataConverter withContext(@Nonnull SerializationContext context) {
    return wrap(delegate.withContext(context));
  }

  @Override
  public <T> Optional<Payload> toPayload(T value) throws DataConverterException {
    return delegate.toPayload(value);
  }

  @Override
  public <T> T fromPayload(Payload payload, Class<T> valueClass, Type valueType) throws DataConverterException {
    try {
      return checked(delegate.fromPayload(payload, valueClass, valueType), payload, valueClass, valueType);
    } catch (DataConverterException e) {
      return readWithout(e, payload, valueClass, valueType);
    }
  }

  @Override
  public Optional<Payloads> toPayloads(Object... values) throws DataConverterException {
    return delegate.toPayloads(values);
  }

  @Override
  public <T> T fromPayloads(int index, Optional<Payloads> content, Class<T> valueType, Type valueGenericType)
      throws DataConverterException {
    boolean present = content.isPresent() && index < content.get().getPayloadsCount();
    T value;
    try {
      value = delegate.fromPayloads(index, content, valueType, valueGenericType);
    } catch (DataConverterException e) {
      if (!present) {
        throw e;
      }
      return readWithout(e, content.get().getPayloads(index), valueType, valueGenericType);
    }
    if (present) {
      checked(value, content.get().getPayloads(index), valueType, valueGenericType);
    }
    return value;
  }

  @Override
  public Object[] fromPayloads(Optional<Payloads> content, Class<?>[] parameterTypes, Type[] genericParameterTypes)
      throws DataConverterException {
    Object[] values;
    try {
      values = delegate.fromPayloads(content, parameterTypes, genericParameterTypes);
    } catch (DataConverterException e) {
      // one at a time, so that a request with an unreadable field is read without it
      values = new Object[parameterTypes.length];
      for (int i = 0; i < values.length; i++) {
        values[i] = fromPayloads(i, content, parameterTypes[i], genericParameterTypes == null ? null : genericParameterTypes[i]);
      }
      return values;
    }
    if (content.isPresent()) {
      int count = Math.min(values.length, content.get().getPayloadsCount());
      for (int i = 0; i < count; i++) {
        checked(values[i], content.get().getPayloads(i), parameterTypes[i],
            genericParameterTypes == null ? null : genericParameterTypes[i]);
      }
    }
    return values;
  }

  /**
   * The request types whose unknown fields are refused (with the objects inside them): workflow
   * inputs and update arguments. Nothing else is read twice (activity inputs and results, query
   * results, carried state are the project's own).
   */
  static final Set<Class<?>> CHECKED = Set.of(SandboxRequest.class, VolumeRequest.class, BatchRequest.class,
      ExecRequest.class, LogRequest.class, ReapRequest.class, ExecOutputRequest.class);

  /**
   * A request of a {@link #CHECKED} type whose payload the wrapped converter could not read
   * ({@code failure}), read without the fields at fault, which are recorded with its unknown
   * fields ({@link UnreadableFields}): the workflow or validator then refuses it naming them,
   * instead of its task failing on every attempt. Anything else fails as it did.
   */
  private <T> T readWithout(DataConverterException failure, Payload payload, Class<T> valueClass, Type valueType) {
    if (!CHECKED.contains(valueClass)) {
      throw failure;
    }
    UnreadableFields.Readable readable = UnreadableFields.readable(payload, valueClass, valueType)
        .orElseThrow(() -> failure);
    T value = delegate.fromPayload(readable.payload(), valueClass, valueType);
    if (value == null) {
      throw failure;
    }
    List<Violation> found = new ArrayList<>(UnknownFieldDetector.find(readable.payload(), valueClass, valueType));
    found.addAll(readable.taken());
    UnknownFields.remember(value, found);
    return value;
  }

  /** {@code value}, decoded from {@code payload}, after recording its unknown fields. */
  private static <T> T checked(T value, Payload payload, Class<?> valueClass, Type valueType) {
    if (value != null && CHECKED.contains(valueClass)) {
      UnknownFields.remember(value, UnknownFieldDetector.find(payload, valueClass, valueType));
    }
    return value;
  }
}

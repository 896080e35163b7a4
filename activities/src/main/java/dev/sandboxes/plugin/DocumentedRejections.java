package dev.sandboxes.plugin;

import dev.sandboxes.model.SandboxErrors;
import dev.sandboxes.model.SandboxException;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.failure.v1.Failure;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DataConverterException;
import io.temporal.common.converter.GlobalDataConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.payload.context.SerializationContext;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.unsafe.WorkflowUnsafe;
import java.lang.reflect.Type;
import java.util.Objects;
import java.util.Optional;
import javax.annotation.Nonnull;

/**
 * A data converter that writes an update validator's rejection with the documented error type
 * ({@link SandboxErrors}, such as {@code SandboxNotRunning}) instead of the Java class name of the
 * model exception the validator threw. Everything else goes to the converter it wraps.
 *
 * <p>Why a converter: the Java SDK turns whatever a validator throws into the rejection's failure
 * through the client's data converter, with the exception's class name as the type; an
 * {@link ApplicationFailure} thrown there arrives as the SDK's internal wrapper class instead. So
 * the workflows throw the model's exceptions and this converter, which sees them on the workflow
 * thread while an update is being validated, gives them their documented type. Activities and
 * clients are not touched (only a model exception on a workflow thread with a current update is
 * rewritten). The plugin installs it when it is registered on the client.
 */
final class DocumentedRejections implements DataConverter {
  private final DataConverter delegate;

  private DocumentedRejections(DataConverter delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /**
   * {@code converter}, writing validators' rejections with their documented types; the SDK's
   * global converter when {@code converter} is null (client options that set none).
   */
  static DataConverter wrap(DataConverter converter) {
    DataConverter base = converter == null ? GlobalDataConverter.get() : converter;
    return base instanceof DocumentedRejections ? base : new DocumentedRejections(base);
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
    return delegate.fromPayload(payload, valueClass, valueType);
  }

  @Override
  public Optional<Payloads> toPayloads(Object... values) throws DataConverterException {
    return delegate.toPayloads(values);
  }

  @Override
  public <T> T fromPayloads(int index, Optional<Payloads> content, Class<T> valueType, Type valueGenericType)
      throws DataConverterException {
    return delegate.fromPayloads(index, content, valueType, valueGenericType);
  }

  @Override
  public Object[] fromPayloads(Optional<Payloads> content, Class<?>[] parameterTypes, Type[] genericParameterTypes)
      throws DataConverterException {
    return delegate.fromPayloads(content, parameterTypes, genericParameterTypes);
  }
}

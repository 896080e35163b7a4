package com.example.outside;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** A user's workflow with one sandbox step. */
@WorkflowInterface
public interface Greeting {
  @WorkflowMethod
  String greet(String who);
}

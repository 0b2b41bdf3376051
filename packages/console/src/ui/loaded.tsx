/** A resource's value once loaded; meanwhile "loading", or the error of a load that failed. */
import type { ComponentChildren } from 'preact';
import { ErrorNotice, Loading } from './notices.js';
import type { Resource } from './use-resource.js';

export function Loaded<Value>(props: { readonly resource: Resource<Value>; readonly children: (value: Value) => ComponentChildren }) {
  const { value, error } = props.resource;
  if (value === undefined) return error === undefined ? <Loading /> : <ErrorNotice error={error} />;
  return (
    <>
      {error === undefined ? null : <ErrorNotice error={error} />}
      {props.children(value)}
    </>
  );
}

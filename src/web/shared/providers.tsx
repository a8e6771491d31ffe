/** Choosing a provider in a coordinator's form or filter. */

/** A provider drop-down's options: first the choice of none (`none`, its words), then each provider, `selected` marked. */
export const ProviderOptions = ({ providers, none, selected }: { providers: { id: string; name: string }[]; none: string; selected?: string | null }) => (
  <>
    <option value="">{none}</option>
    {providers.map((pr) => (
      <option value={pr.id} selected={pr.id === selected}>
        {pr.name}
      </option>
    ))}
  </>
);

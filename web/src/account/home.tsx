/** /account: the signed-in person's profile, address, password, orders, invoices, boxes and messages. */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiFailure, client, read } from "../lib/api";
import { PreferencesForm } from "./preferences-form";
import { AddressForm, NameForm, PasswordForm } from "./profile-forms";
import { InvoicesList, NotificationsList, OrdersList } from "./records";
import { SubscriptionsPanel } from "./subscriptions";
import type { Profile } from "./types";
import { useHeadingFocus } from "./use-heading-focus";

function Section({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section class="account-section" aria-labelledby={`${id}-title`} id={id}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

export function AccountHome({ onSignedOut }: { onSignedOut: () => void }) {
  const heading = useHeadingFocus();
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [signingOut, setSigningOut] = useState(false);

  useEffect(() => {
    read(client.api.account.profile.$get())
      .then((res) => setProfile(res.profile))
      .catch((err) => {
        if (err instanceof ApiFailure && err.status === 401) onSignedOut();
        else setError((err as Error).message);
      });
  }, [onSignedOut]);

  // /account/subscriptions (and a box's card form) open the account page at its monthly boxes.
  useEffect(() => {
    if (profile && location.pathname.startsWith("/account/subscriptions")) {
      document.getElementById("subscriptions")?.scrollIntoView();
    }
  }, [profile]);

  const signOut = async () => {
    setSigningOut(true);
    try {
      await read(client.api.auth.logout.$post());
      location.assign("/");
    } catch (err) {
      setError((err as Error).message);
      setSigningOut(false);
    }
  };

  return (
    <div class="account" data-account-ready={profile ? "1" : undefined}>
      <div class="account-head">
        <h1 id="account-title" tabIndex={-1} ref={heading}>
          Your account
        </h1>
        <button type="button" class="secondary" disabled={signingOut} onClick={signOut}>
          {signingOut ? "Signing out…" : "Sign out"}
        </button>
      </div>
      {error ? (
        <p class="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {profile ? (
        <>
          <p class="muted">
            Signed in as <strong>{profile.name}</strong> ({profile.email}).
          </p>
          <nav class="account-toc" aria-label="On this page">
            <a href="#orders">Orders</a>
            <a href="#profile">Profile</a>
            <a href="#address">Shipping address</a>
            <a href="#password">Password</a>
            <a href="#invoices">Invoices</a>
            <a href="#subscriptions">Monthly boxes</a>
            <a href="#messages">Messages</a>
            <a href="#preferences">Message choices</a>
          </nav>
          <div class="account-grid">
            <Section id="orders" title="My orders">
              <OrdersList />
            </Section>
            <Section id="profile" title="Profile">
              <NameForm profile={profile} onSaved={setProfile} />
            </Section>
            <Section id="address" title="Shipping address">
              <p class="muted">Checkout fills this in for you.</p>
              <AddressForm profile={profile} onSaved={setProfile} />
            </Section>
            <Section id="password" title="Password">
              <PasswordForm />
            </Section>
            <Section id="invoices" title="Invoices">
              <InvoicesList />
            </Section>
            <Section id="subscriptions" title="Monthly boxes">
              <SubscriptionsPanel savedAddress={profile.shippingAddress} />
            </Section>
            <Section id="messages" title="Messages from the shop">
              <NotificationsList />
            </Section>
            <Section id="preferences" title="Message choices">
              <PreferencesForm />
            </Section>
          </div>
        </>
      ) : error ? null : (
        <p aria-busy="true">Loading your account…</p>
      )}
    </div>
  );
}

// Values the Node-side globalSetup files (test/global/) hand to the suites in workerd via provide/inject.
export {};

declare module "vitest" {
  export interface ProvidedContext {
    /** Base URL of the local Stripe API server (test/global/stripe-server.ts). */
    stripeApiBase: string;
    /** Base URL of the local e-mail provider server (test/global/mail-server.ts). */
    mailServerUrl: string;
    /** Base URL of the local Web Push service (test/global/push-server.ts). */
    pushServerUrl: string;
    /** Base URL of the local SMS provider (test/global/sms-server.ts). */
    smsServerUrl: string;
  }
}

// Providers (auth → query client → tRPC → business → toasts) and the routes. Insights is a lazy
// route: its code and recharts load only when an analyst opens it.
import { lazy, Suspense, useState, type ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { AuthProvider, getAccessToken, hasSession, refreshSession, useAuth } from "./lib/auth.tsx";
import { createApiClient, TRPCProvider } from "./lib/trpc.ts";
import { BusinessProvider, useMe } from "./lib/session.tsx";
import { errorInfo, isAccessTokenExpired, isSessionError } from "./lib/errors.ts";
import { ToastProvider } from "./components/toast.tsx";
import { Layout } from "./components/Layout.tsx";
import { ErrorBanner, PageSkeleton } from "./components/ui.tsx";
import { SignInPage, SignUpPage } from "./pages/AuthPages.tsx";
import { ForgotPasswordPage, ResetPasswordPage } from "./pages/PasswordResetPages.tsx";
import { OnboardingPage } from "./pages/OnboardingPage.tsx";
import { ContactsPage } from "./pages/ContactsPage.tsx";
import { BusinessesPage } from "./pages/BusinessesPage.tsx";
import { MembersPage } from "./pages/MembersPage.tsx";
import { InvitationsPage, rememberInvitationToken } from "./pages/InvitationsPage.tsx";
import { ImportPage } from "./pages/ImportPage.tsx";
import { ProfilePage } from "./pages/ProfilePage.tsx";
import { NotAvailablePage, NotFoundPage } from "./pages/NotAvailablePage.tsx";

rememberInvitationToken();

const InsightsPage = lazy(() => import("./pages/insights/InsightsPage.tsx"));

/** Client errors (4xx) will not succeed on retry; only network and 5xx errors are retried. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  const { code } = errorInfo(error);
  const transient = code === "NETWORK" || code === "INTERNAL_SERVER_ERROR" || code === "SERVICE_UNAVAILABLE" || code === "BAD_GATEWAY" || code === "GATEWAY_TIMEOUT" || code === "TIMEOUT";
  return transient && failureCount < 2;
}

function DataProviders({ children }: { children: ReactNode }) {
  const { signOut } = useAuth();
  const [queryClient] = useState(() => {
    const ended = () => signOut("Your session has ended. Please sign in again.");
    const onError = (error: unknown) => {
      if (!isSessionError(error) || !hasSession()) return;
      // An access token that expired in flight: refresh once and re-run; anything else ended the session.
      if (isAccessTokenExpired(error)) {
        void refreshSession()
          .then((token) => (token ? queryClient.invalidateQueries() : ended()))
          .catch(() => {});
      } else ended();
    };
    return new QueryClient({
      queryCache: new QueryCache({ onError }),
      mutationCache: new MutationCache({ onError }),
      defaultOptions: { queries: { retry: shouldRetry, staleTime: 15_000, refetchOnWindowFocus: false } },
    });
  });
  const [trpcClient] = useState(() => createApiClient(getAccessToken));
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <SignOutClears queryClient={queryClient}>{children}</SignOutClears>
      </TRPCProvider>
    </QueryClientProvider>
  );
}

/** A different user (or none) must never see the previous user's cached rows; a token refresh keeps them. */
function SignOutClears({ queryClient, children }: { queryClient: QueryClient; children: ReactNode }) {
  const { userId } = useAuth();
  const [seen, setSeen] = useState(userId);
  if (seen !== userId) {
    queryClient.clear();
    setSeen(userId);
  }
  return <>{children}</>;
}

/** Signed-in area: requires a token, loads me.get, sends first-time users to onboarding. */
function RequireSession({ children }: { children: ReactNode }) {
  const { token, ready } = useAuth();
  const location = useLocation();
  const me = useMe();
  if (!ready) {
    return (
      <div className="main">
        <PageSkeleton />
      </div>
    );
  }
  if (!token) return <Navigate to="/signin" replace state={{ from: location.pathname }} />;
  if (me.isPending) {
    return (
      <div className="main">
        <PageSkeleton />
      </div>
    );
  }
  if (me.isError) {
    return (
      <div className="main">
        <ErrorBanner error={me.error} onRetry={() => void me.refetch()} />
      </div>
    );
  }
  const onboarded = me.data.user.onboarding_completed_at !== null;
  if (!onboarded && location.pathname !== "/onboarding") return <Navigate to="/onboarding" replace />;
  return <>{children}</>;
}

function AnalystOnly({ children }: { children: ReactNode }) {
  const me = useMe();
  if (!me.data?.user.is_analyst) return <NotAvailablePage />;
  return <>{children}</>;
}

function PublicOnly({ children }: { children: ReactNode }) {
  const { token, ready } = useAuth();
  if (!ready) return null;
  return token ? <Navigate to="/contacts" replace /> : <>{children}</>;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/signin" element={<PublicOnly><SignInPage /></PublicOnly>} />
      <Route path="/signup" element={<PublicOnly><SignUpPage /></PublicOnly>} />
      <Route path="/forgot-password" element={<PublicOnly><ForgotPasswordPage /></PublicOnly>} />
      {/* Not PublicOnly: a reset link works whoever is signed in here (the reset ends every session anyway). */}
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route path="/onboarding" element={<RequireSession><OnboardingPage /></RequireSession>} />
      <Route
        element={
          <RequireSession>
            <BusinessProvider>
              <Layout />
            </BusinessProvider>
          </RequireSession>
        }
      >
        <Route index element={<Navigate to="/contacts" replace />} />
        <Route path="/contacts" element={<ContactsPage />} />
        <Route path="/contacts/:contactId" element={<ContactsPage />} />
        <Route path="/import" element={<ImportPage />} />
        <Route path="/businesses" element={<BusinessesPage />} />
        <Route path="/members" element={<MembersPage />} />
        <Route path="/invitations" element={<InvitationsPage />} />
        <Route path="/profile" element={<ProfilePage />} />
        <Route
          path="/insights"
          element={
            <AnalystOnly>
              <Suspense fallback={<PageSkeleton />}>
                <InsightsPage />
              </Suspense>
            </AnalystOnly>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <DataProviders>
          <ToastProvider>
            <AppRoutes />
          </ToastProvider>
        </DataProviders>
      </AuthProvider>
    </BrowserRouter>
  );
}

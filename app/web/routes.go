package web

import "github.com/gofiber/fiber/v2"

// routes registers every route. Each line shows the route's whole middleware chain through
// one of the helpers below; the global middleware runs first for every request, found or not.
func (s *Server) routes() {
	app := s.app
	app.Use(s.assignRequestID, s.logAccess, s.recoverPanic, s.secureHeaders, s.refuseMethods)

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/static/:version/:name", s.serveAsset)

	// Pages for everybody.
	app.Get("/register", s.public(s.registerPage)...)
	app.Post("/register", s.public(s.register)...)
	app.Get("/login", s.public(s.loginPage)...)
	app.Post("/login", s.public(s.login)...)
	app.Post("/logout", s.public(s.logout)...)

	// Two-factor sign-in and password reset.
	app.Get("/login/two-factor", s.public(s.twoFactorLoginPage)...)
	app.Post("/login/two-factor", s.public(s.twoFactorLogin)...)
	app.Get("/password-reset", s.public(s.passwordResetPage)...)
	app.Post("/password-reset", s.public(s.requestPasswordReset)...)
	app.Get("/password-reset/confirm", s.public(s.passwordResetConfirmPage)...)
	app.Post("/password-reset/confirm", s.public(s.resetPassword)...)
	app.Get("/settings/two-factor", s.signedIn(s.twoFactorSettingsPage)...)
	app.Get("/settings/two-factor/qr.png", s.signedIn(s.twoFactorQRCode)...)
	app.Post("/settings/two-factor/setup", s.signedIn(s.beginTwoFactorSetup)...)
	app.Post("/settings/two-factor/enable", s.signedIn(s.enableTwoFactor)...)
	app.Post("/settings/two-factor/recovery-codes", s.signedIn(s.newRecoveryCodes)...)
	app.Post("/settings/two-factor/disable", s.signedIn(s.disableTwoFactor)...)

	// Pages for signed-in users.
	app.Get("/", s.signedIn(s.dashboardPage)...)
	app.Get("/settings", s.signedIn(s.settingsPage)...)
	app.Post("/settings/password", s.signedIn(s.changePassword)...)
	app.Post("/settings/tokens", s.signedIn(s.createToken)...)
	app.Post("/settings/tokens/:id/revoke", s.signedIn(s.revokeToken)...)
	app.Post("/settings/registration", s.signedIn(s.setRegistration)...)

	// Bookkeeping screens.
	app.Get("/accounts", s.signedIn(s.accountsPage)...)
	app.Post("/accounts", s.signedIn(s.openAccount)...)
	app.Get("/accounts/:id", s.signedIn(s.accountRegisterPage)...)
	app.Get("/accounts/:id/rename", s.signedIn(s.renameAccountPage)...)
	app.Post("/accounts/:id/rename", s.signedIn(s.renameAccount)...)
	app.Post("/accounts/:id/close", s.signedIn(s.closeAccount)...)
	app.Post("/accounts/:id/reopen", s.signedIn(s.reopenAccount)...)
	app.Get("/transactions", s.signedIn(s.transactionsPage)...)
	app.Post("/transactions", s.signedIn(s.recordTransaction)...)
	app.Get("/transactions/posting-row", s.signedIn(s.postingRowPage)...)
	app.Post("/transactions/check", s.signedIn(s.checkBalance)...)
	app.Get("/transactions/:id", s.signedIn(s.transactionPage)...)
	app.Post("/transactions/:id", s.signedIn(s.amendTransaction)...)
	app.Get("/transactions/:id/edit", s.signedIn(s.editTransactionPage)...)
	app.Get("/transactions/:id/void", s.signedIn(s.voidTransactionPage)...)
	app.Post("/transactions/:id/void", s.signedIn(s.voidTransaction)...)
	app.Get("/settings/books", s.signedIn(s.booksSettingsPage)...)
	app.Post("/settings/books", s.signedIn(s.changeBooksSettings)...)

	// JSON API: a bearer token, or the session cookie with X-CSRF-Token on unsafe methods.
	app.Get("/api/v1/me", s.api(s.apiMe)...)
	app.Get("/api/v1/tokens", s.api(s.apiTokens)...)
	app.Post("/api/v1/tokens", s.api(s.apiCreateToken)...)
	app.Delete("/api/v1/tokens/:id", s.api(s.apiRevokeToken)...)

	// Bookkeeping API.
	app.Get("/api/v1/accounts", s.api(s.apiAccounts)...)
	app.Post("/api/v1/accounts", s.api(s.apiOpenAccount)...)
	app.Get("/api/v1/transactions", s.api(s.apiTransactions)...)
	app.Post("/api/v1/transactions", s.api(s.apiRecordTransaction)...)
	app.Get("/api/v1/transactions/:id", s.api(s.apiTransaction)...)
	app.Put("/api/v1/transactions/:id", s.api(s.apiAmendTransaction)...)
	app.Post("/api/v1/transactions/:id/void", s.api(s.apiVoidTransaction)...)
	app.Get("/api/v1/events", s.api(s.apiEvents)...)

	// Reports.
	app.Get("/reports", s.signedIn(s.reportsPage)...)
	app.Get("/reports/trial-balance", s.signedIn(s.trialBalancePage)...)
	app.Get("/reports/trial-balance.csv", s.signedIn(s.trialBalanceCSV)...)
	app.Get("/reports/balance-sheet", s.signedIn(s.balanceSheetPage)...)
	app.Get("/reports/balance-sheet.csv", s.signedIn(s.balanceSheetCSV)...)
	app.Get("/reports/income-statement", s.signedIn(s.incomeStatementPage)...)
	app.Get("/reports/income-statement.csv", s.signedIn(s.incomeStatementCSV)...)
	app.Get("/reports/cash-flow", s.signedIn(s.cashFlowPage)...)
	app.Get("/reports/cash-flow.csv", s.signedIn(s.cashFlowCSV)...)
	app.Get("/reports/by-account", s.signedIn(s.breakdownByAccountPage)...)
	app.Get("/reports/by-account.csv", s.signedIn(s.breakdownByAccountCSV)...)
	app.Get("/reports/by-payee", s.signedIn(s.breakdownByPayeePage)...)
	app.Get("/reports/by-payee.csv", s.signedIn(s.breakdownByPayeeCSV)...)
	app.Get("/reports/general-ledger", s.signedIn(s.generalLedgerPage)...)
	app.Get("/reports/general-ledger.csv", s.signedIn(s.generalLedgerCSV)...)
	app.Get("/reports/rates", s.signedIn(s.ratesPage)...)
	app.Post("/reports/rates", s.signedIn(s.recordRate)...)
	app.Post("/reports/rates/:id/remove", s.signedIn(s.removeRate)...)
	app.Get("/reports/export/journal", s.signedIn(s.exportJournal)...)
	app.Get("/reports/export/beancount", s.signedIn(s.exportBeancount)...)
	app.Get("/api/v1/reports/trial-balance", s.api(s.apiTrialBalance)...)
	app.Get("/api/v1/reports/balance-sheet", s.api(s.apiBalanceSheet)...)
	app.Get("/api/v1/reports/income-statement", s.api(s.apiIncomeStatement)...)

	// Documents. Uploads are streamed (documents_streaming.go): their CSRF token is checked
	// from the header, or from the form's first field, before any file is read.
	app.Get("/documents", s.signedIn(s.documentsPage)...)
	app.Post("/documents", s.streamed(s.signedIn(s.uploadDocuments))...)
	app.Get("/documents/usage", s.signedIn(s.documentsUsagePage)...)
	app.Get("/documents/:id", s.signedIn(s.serveDocument)...)
	app.Post("/documents/:id/delete", s.signedIn(s.deleteDocument)...)
	app.Get("/transactions/:id/documents", s.signedIn(s.transactionDocumentsPage)...)
	app.Post("/transactions/:id/documents", s.signedIn(s.attachDocument)...)
	app.Post("/transactions/:id/documents/:document_id/detach", s.signedIn(s.detachDocument)...)
	app.Get("/api/v1/documents", s.api(s.apiDocuments)...)
	app.Post("/api/v1/documents", s.streamed(s.api(s.apiUploadDocument))...)
	app.Get("/api/v1/documents/:id", s.api(s.serveDocument)...)
	app.Delete("/api/v1/documents/:id", s.api(s.apiDeleteDocument)...)
	app.Get("/api/v1/transactions/:id/documents", s.api(s.apiTransactionDocuments)...)
	app.Post("/api/v1/transactions/:id/documents", s.api(s.apiAttachDocument)...)
	app.Delete("/api/v1/transactions/:id/documents/:document_id", s.api(s.apiDetachDocument)...)

	// Imports. Statement uploads are streamed like documents (import_upload.go).
	app.Get("/imports", s.signedIn(s.importsPage)...)
	app.Post("/imports/preview", s.streamed(s.signedIn(s.previewImport))...)
	app.Post("/imports", s.streamed(s.signedIn(s.importStatement))...)
	app.Get("/imports/:id", s.signedIn(s.importPage)...)
	app.Post("/imports/:id/undo", s.signedIn(s.undoImportFromPage)...)
	app.Get("/rules", s.signedIn(s.rulesPage)...)
	app.Post("/rules", s.signedIn(s.createRule)...)
	app.Post("/rules/test", s.signedIn(s.testRule)...)
	app.Post("/rules/:id", s.signedIn(s.saveRule)...)
	app.Post("/rules/:id/delete", s.signedIn(s.removeRule)...)
	app.Post("/rules/:id/move", s.signedIn(s.moveRuleFromPage)...)
	app.Get("/wise", s.signedIn(s.wisePage)...)
	app.Post("/wise/preview", s.signedIn(s.previewWise)...)
	app.Post("/wise/import", s.signedIn(s.importWise)...)
	app.Get("/settings/wise", s.signedIn(s.wiseSettingsPage)...)
	app.Post("/settings/wise/token", s.signedIn(s.saveWiseToken)...)
	app.Post("/settings/wise/key", s.signedIn(s.generateWiseKey)...)
	app.Post("/settings/wise/forget", s.signedIn(s.forgetWiseSettings)...)
	app.Post("/api/v1/imports", s.streamed(s.api(s.apiImport))...)
	app.Get("/api/v1/imports", s.api(s.apiImports)...)
	app.Post("/api/v1/imports/:id/undo", s.api(s.apiUndoImport)...)
	app.Post("/api/v1/wise/import", s.api(s.apiWiseImport)...)
	app.Put("/api/v1/wise/token", s.api(s.apiSetWiseToken)...)

	// Audit and admin.
	app.Get("/history", s.signedIn(s.historyPage)...)
	app.Get("/time-travel", s.signedIn(s.timeTravelPage)...)
	app.Get("/verify", s.signedIn(s.verifyPage)...)
	app.Get("/verify/run", s.signedIn(s.runVerification)...)
	app.Get("/verify/badge", s.signedIn(s.verifyBadge)...)
	app.Get("/verify/digest", s.signedIn(s.digestDownload)...)
	app.Get("/grants", s.signedIn(s.grantsPage)...)
	app.Post("/grants", s.signedIn(s.createGrantForm)...)
	app.Post("/grants/:id/revoke", s.signedIn(s.revokeGrantForm)...)
	app.Post("/books/switch", s.bookSwitch(s.switchBook)...)
	app.Get("/api/v1/grants", s.api(s.apiGrants)...)
	app.Post("/api/v1/grants", s.api(s.apiCreateGrant)...)
	app.Delete("/api/v1/grants/:id", s.api(s.apiRevokeGrant)...)
	app.Get("/api/v1/access-log", s.api(s.apiAccessLog)...)
	app.Get("/api/v1/as-of", s.api(s.apiAsOf)...)
	app.Get("/admin", s.admin(s.adminPage)...)
	app.Post("/admin/users/:id/disable", s.admin(s.adminDisableUser)...)
	app.Post("/admin/users/:id/enable", s.admin(s.adminEnableUser)...)
	app.Post("/admin/registration", s.admin(s.adminSetRegistration)...)
	app.Get("/admin/rebuild", s.admin(s.adminRebuildPage)...)
	app.Post("/admin/rebuild", s.admin(s.adminStartRebuild)...)
	app.Post("/admin/rebuild/cancel", s.admin(s.adminCancelRebuild)...)
	app.All("/admin", s.adminNotFound)
	app.All("/admin/*", s.adminNotFound)
}

// public is the chain of a page anybody may see: CSRF check (and a token for the page),
// then the session's user, if any.
func (s *Server) public(handler fiber.Handler) []fiber.Handler {
	return []fiber.Handler{s.pageCSRF, s.loadUser, handler}
}

// signedIn is the chain of a page for signed-in users; others go to the login page.
// resolveBook decides whose books the page reads (auditor.go).
func (s *Server) signedIn(handler fiber.Handler) []fiber.Handler {
	return []fiber.Handler{s.pageCSRF, s.loadUser, s.requireUser, s.resolveBook, handler}
}

// api is the chain of an API endpoint: no token in the query string, CSRF check for cookie
// sessions, then authentication by bearer token or session, then whose books it reads.
func (s *Server) api(handler fiber.Handler) []fiber.Handler {
	return []fiber.Handler{s.refuseQueryTokens, s.apiCSRF, s.authenticateAPI, s.resolveBook,
		handler}
}

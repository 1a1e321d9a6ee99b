package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/app/wise"
	"folio/domain"
)

// wiseView is the data of pages/wise.html.
type wiseView struct {
	HasToken   bool
	Error      string
	Profiles   []wise.Profile
	ProfileID  int64
	Balances   []wiseBalanceView
	Accounts   []*domain.Account
	From, To   string
	Result     *importResult
	Mismatches []wise.Mismatch
}

type wiseBalanceView struct {
	wise.Balance
	AccountID uuid.UUID
	Chosen    bool
}

// wisePage answers GET /wise: the profiles, and for the chosen one its balances with the
// account each goes to and a date range.
func (s *Server) wisePage(c *fiber.Ctx) error {
	profileID, _ := strconv.ParseInt(c.Query("profile"), 10, 64)
	today := domain.DateOf(s.now().UTC())
	data, err := s.loadWiseView(c, profileID)
	if err != nil {
		return err
	}
	data.From, data.To = today.FirstOfMonth().AddDays(-1).FirstOfMonth().String(), today.String()
	return s.render(c, "wise", "", data)
}

// loadWiseView lists the profiles and, for profileID, its balances. A failure of Wise is
// shown on the page, not as an error page.
func (s *Server) loadWiseView(c *fiber.Ctx, profileID int64) (wiseView, error) {
	ctx, user := c.UserContext(), currentUser(c)
	data := wiseView{ProfileID: profileID}
	client, err := s.wiseClient(ctx, user.ID)
	if fieldErrors(err) != nil {
		data.Error = err.Error()
		return data, nil
	}
	if err != nil {
		return data, err
	}
	data.HasToken = true
	if err := s.ledger.Read(ctx, user.ID, func(books *domain.Books) error {
		for _, account := range books.Accounts() {
			if !account.Closed && (account.Type == domain.Asset || account.Type == domain.Liability) {
				data.Accounts = append(data.Accounts, account)
			}
		}
		return nil
	}); err != nil {
		return data, err
	}
	if data.Profiles, err = client.Profiles(ctx); err != nil {
		data.Error = wiseRequestError(err).Error()
		return data, nil
	}
	if profileID == 0 && len(data.Profiles) > 0 {
		data.ProfileID = data.Profiles[0].ID
	}
	balances, err := client.Balances(ctx, data.ProfileID)
	if err != nil {
		data.Error = wiseRequestError(err).Error()
		return data, nil
	}
	chosen, err := s.wiseBalanceAccounts(ctx, user.ID)
	if err != nil {
		return data, err
	}
	for _, balance := range balances {
		view := wiseBalanceView{Balance: balance, AccountID: chosen[balance.ID]}
		if view.AccountID == uuid.Nil {
			view.AccountID = accountIDByName(data.Accounts, wiseAccountName(balance.Currency))
		}
		data.Balances = append(data.Balances, view)
	}
	return data, nil
}

func accountIDByName(accounts []*domain.Account, name string) uuid.UUID {
	for _, account := range accounts {
		if account.Name == name {
			return account.ID
		}
	}
	return uuid.Nil
}

// previewWise answers POST /wise/preview and importWise POST /wise/import.
func (s *Server) previewWise(c *fiber.Ctx) error { return s.wiseFromPage(c, true) }
func (s *Server) importWise(c *fiber.Ctx) error  { return s.wiseFromPage(c, false) }

func (s *Server) wiseFromPage(c *fiber.Ctx, dryRun bool) error {
	request, err := s.wiseRequestFromForm(c)
	if err != nil {
		return err
	}
	request.DryRun = dryRun
	result, mismatches, err := s.runWiseImport(c, request)
	data, loadErr := s.loadWiseView(c, request.ProfileID)
	if loadErr != nil {
		return loadErr
	}
	data.From, data.To = request.From, request.To
	for i := range data.Balances {
		for _, id := range request.BalanceIDs {
			data.Balances[i].Chosen = data.Balances[i].Chosen || data.Balances[i].ID == id
		}
	}
	if err != nil {
		if _, handled := err.(*requestError); !handled && fieldErrors(err) == nil {
			return err
		}
		data.Error = err.Error()
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "wise", "wise_result", data)
	}
	data.Result, data.Mismatches = &result, mismatches
	return s.render(c, "wise", "wise_result", data)
}

// wiseRequestFromForm reads the Wise page's form and saves the account chosen for each
// balance.
func (s *Server) wiseRequestFromForm(c *fiber.Ctx) (wiseImportRequest, error) {
	profileID, _ := strconv.ParseInt(c.FormValue("profile_id"), 10, 64)
	request := wiseImportRequest{ProfileID: profileID, From: c.FormValue("from"), To: c.FormValue("to")}
	args := c.Request().PostArgs()
	for _, value := range args.PeekMulti("balance_ids") {
		id, err := strconv.ParseInt(string(value), 10, 64)
		if err != nil {
			return request, domain.Invalid("balance_ids", "choose balances from the list")
		}
		request.BalanceIDs = append(request.BalanceIDs, id)
		accountID, err := uuid.Parse(c.FormValue("account_" + string(value)))
		if err != nil {
			continue
		}
		if err := s.setWiseBalanceAccount(c.UserContext(), currentUser(c).ID, id, accountID); err != nil {
			return request, err
		}
	}
	return request, nil
}

package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"folio/app/imports"
	"folio/domain"
)

// ruleTestMatchesMax bounds the past transactions a rule test lists.
const ruleTestMatchesMax = 50

// rulesView is the data of pages/rules.html.
type rulesView struct {
	Rules    []ruleView
	Accounts []*domain.Account
	Errors   map[string]string
	Form     imports.Rule // the rule typed into a rejected form, or tested
	FormID   string       // the rule a rejected edit was for
	Test     *ruleTestView
}

type ruleView struct {
	imports.Rule
	Number      int
	AccountName string
	Form        ruleFormView
}

// ruleFormView is the inputs of one rule.
type ruleFormView struct {
	Prefix   string // of the inputs' ids
	Rule     imports.Rule
	Accounts []*domain.Account
	Errors   map[string]string
}

// NewForm is the form that adds a rule.
func (v rulesView) NewForm() ruleFormView {
	form := ruleFormView{Prefix: "new-rule", Rule: v.Form, Accounts: v.Accounts}
	if v.FormID == "" {
		form.Errors = v.Errors
	}
	return form
}

// ruleTestView lists the past transactions a rule would match.
type ruleTestView struct {
	Rule    imports.Rule
	Matches []*domain.Transaction
	Checked int
	More    bool
}

// rulesPage answers GET /rules.
func (s *Server) rulesPage(c *fiber.Ctx) error {
	data, err := s.loadRules(c)
	if err != nil {
		return err
	}
	data.Form = imports.Rule{Field: imports.RuleFieldAny, Match: imports.RuleContains}
	return s.render(c, "rules", "rules_section", data)
}

func (s *Server) loadRules(c *fiber.Ctx) (rulesView, error) {
	var data rulesView
	rules, err := s.rules(c.UserContext(), currentUser(c).ID)
	if err != nil {
		return data, err
	}
	err = s.ledger.Read(c.UserContext(), currentUser(c).ID, func(books *domain.Books) error {
		for _, account := range books.Accounts() {
			if !account.Closed {
				data.Accounts = append(data.Accounts, account)
			}
		}
		for _, rule := range rules {
			view := ruleView{Rule: rule, Number: len(data.Rules) + 1, AccountName: "(deleted account)"}
			if account, ok := books.Account(rule.AccountID); ok {
				view.AccountName = account.Name
			}
			data.Rules = append(data.Rules, view)
		}
		return nil
	})
	for i := range data.Rules {
		data.Rules[i].Form = ruleFormView{Prefix: "rule-" + data.Rules[i].ID.String(), Rule: data.Rules[i].Rule,
			Accounts: data.Accounts}
	}
	return data, err
}

// ruleFromForm reads a rule from the form and checks its account exists.
func (s *Server) ruleFromForm(c *fiber.Ctx) (imports.Rule, error) {
	rule := imports.Rule{Field: c.FormValue("field"), Match: c.FormValue("match"), Pattern: c.FormValue("pattern")}
	accountID, err := uuid.Parse(c.FormValue("account"))
	if err != nil {
		return rule, domain.Invalid("account", "choose an account")
	}
	rule.AccountID = accountID
	if err := rule.Check(); err != nil {
		return rule, err
	}
	return rule, s.ledger.Read(c.UserContext(), currentUser(c).ID, func(books *domain.Books) error {
		if account, ok := books.Account(accountID); !ok || account.Closed {
			return domain.Invalid("account", "choose one of your open accounts")
		}
		return nil
	})
}

// createRule answers POST /rules.
func (s *Server) createRule(c *fiber.Ctx) error {
	rule, err := s.ruleFromForm(c)
	if err == nil {
		rule.ID = uuid.New()
		err = s.addRule(c.UserContext(), currentUser(c).ID, rule)
	}
	return s.rulesChanged(c, rule, "", err)
}

// saveRule answers POST /rules/{id}.
func (s *Server) saveRule(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return domain.NotFound("there is no such rule")
	}
	rule, err := s.ruleFromForm(c)
	if err == nil {
		rule.ID = id
		err = s.updateRule(c.UserContext(), currentUser(c).ID, rule)
	}
	return s.rulesChanged(c, rule, id.String(), err)
}

// removeRule answers POST /rules/{id}/delete.
func (s *Server) removeRule(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return domain.NotFound("there is no such rule")
	}
	return s.rulesChanged(c, imports.Rule{}, "", s.deleteRule(c.UserContext(), currentUser(c).ID, id))
}

// moveRuleFromPage answers POST /rules/{id}/move with direction up or down.
func (s *Server) moveRuleFromPage(c *fiber.Ctx) error {
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return domain.NotFound("there is no such rule")
	}
	err = s.moveRule(c.UserContext(), currentUser(c).ID, id, c.FormValue("direction") == "up")
	return s.rulesChanged(c, imports.Rule{}, "", err)
}

// rulesChanged answers a change to the rules: the list again, with the form's errors
// when it was rejected.
func (s *Server) rulesChanged(c *fiber.Ctx, rule imports.Rule, formID string, err error) error {
	errors := fieldErrors(err)
	if err != nil && errors == nil {
		return err
	}
	if errors == nil && !isHTMX(c) {
		return c.Redirect("/rules", fiber.StatusSeeOther)
	}
	data, loadErr := s.loadRules(c)
	if loadErr != nil {
		return loadErr
	}
	data.Form = imports.Rule{Field: imports.RuleFieldAny, Match: imports.RuleContains}
	if errors != nil {
		data.Errors, data.Form, data.FormID = errors, rule, formID
		for i := range data.Rules {
			if data.Rules[i].ID.String() == formID {
				data.Rules[i].Form.Rule, data.Rules[i].Form.Errors = rule, errors
			}
		}
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.render(c, "rules", "rules_section", data)
}

// testRule answers POST /rules/test: the past transactions the rule in the form would
// have matched, the most recent first.
func (s *Server) testRule(c *fiber.Ctx) error {
	rule := imports.Rule{Field: c.FormValue("field"), Match: c.FormValue("match"), Pattern: c.FormValue("pattern"),
		AccountID: uuid.Max}
	data, err := s.loadRules(c)
	if err != nil {
		return err
	}
	data.Form = rule
	compiled, err := imports.CompileRules([]imports.Rule{rule})
	if errors := fieldErrors(err); errors != nil {
		data.Errors = errors
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "rules", "rules_section", data)
	}
	if err != nil {
		return err
	}
	test := &ruleTestView{Rule: rule}
	err = s.ledger.Read(c.UserContext(), bookOf(c), func(books *domain.Books) error {
		transactions := books.Transactions()
		for i := len(transactions) - 1; i >= 0; i-- {
			txn := transactions[i]
			if txn.Voided {
				continue
			}
			test.Checked++
			if _, ok := compiled.Match(txn.Description, txn.Payee); !ok {
				continue
			}
			if len(test.Matches) == ruleTestMatchesMax {
				test.More = true
				break
			}
			copied := *txn
			test.Matches = append(test.Matches, &copied)
		}
		return nil
	})
	if err != nil {
		return err
	}
	data.Test = test
	return s.render(c, "rules", "rules_section", data)
}

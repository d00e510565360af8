from django.urls import path

from ledger import cost_views, views

urlpatterns = [
    path("", views.account, name="ledger_account"),
    path("statement.csv", views.statement_csv, name="ledger_statement_csv"),
    path("statement.pdf", views.statement_pdf_view, name="ledger_statement_pdf"),
    path("transactions/<int:pk>/undo/", views.transaction_undo, name="ledger_transaction_undo"),
    path("balances/", views.balances, name="ledger_balances"),
    path("settle/", views.settle, name="ledger_settle"),
    path("settle/<int:pk>/paid/", views.transfer_declare_paid, name="ledger_transfer_declare_paid"),
    path("settle/<int:pk>/received/", views.transfer_confirm, name="ledger_transfer_confirm"),
    path("expenses/", cost_views.expense_list, name="ledger_expenses"),
    path("expenses/new/", cost_views.expense_create, name="ledger_expense_create"),
    path("expenses/<int:pk>/undo/", cost_views.expense_cancel, name="ledger_expense_cancel"),
    path("expenses/<int:pk>/receipt/", cost_views.expense_receipt, name="ledger_receipt"),
    path("expenses/<int:pk>/receipt/add/", cost_views.expense_receipt_attach, name="ledger_receipt_attach"),
    path("vehicles/<int:vehicle_id>/report/", cost_views.vehicle_report, name="ledger_vehicle_report"),
    path("calculator/", cost_views.calculator, name="ledger_calculator"),
]

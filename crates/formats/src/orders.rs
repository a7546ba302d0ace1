//! Order releases in a delimited file, one record per order line with the
//! order's own values repeated on each record.
//!
//! Records are grouped into orders by `picking_name` in the order each name
//! first appears; order-level values come from the first record of the
//! order. An order without lines is written as one record whose line
//! columns are empty, and read back the same way.

use std::collections::HashMap;

use wharf_model::{Address, OrderLine, OrderRelease};

use crate::confirmations::push_list;
use crate::plan::{field_set, join_list, list_share, FieldSet, Plan, PlannedColumn};
use crate::table::TableReader;
use crate::table_writer::TableWriter;
use crate::{text, values, FormatError, Layout};

field_set! {
    /// Logical fields of an order file.
    Field {
        PickingId => "picking_id",
        PickingName => "picking_name",
        OrderName => "order_name",
        CustomerRef => "customer_ref",
        Warehouse => "warehouse",
        Customer => "customer",
        CustomerTags => "customer_tags",
        ShipToName => "ship_to_name",
        ShipToStreet => "ship_to_street",
        ShipToStreet2 => "ship_to_street2",
        ShipToZip => "ship_to_zip",
        ShipToCity => "ship_to_city",
        ShipToState => "ship_to_state",
        ShipToCountryCode => "ship_to_country_code",
        ShipToPhone => "ship_to_phone",
        ShipToEmail => "ship_to_email",
        Carrier => "carrier",
        /// Odoo's naive UTC time, written as local time in the site's zone.
        ScheduledDate => "scheduled_date",
        /// Odoo's naive UTC time, written as local time in the site's zone.
        WriteDate => "write_date",
        LineNo => "line_no",
        MoveId => "move_id",
        ProductId => "product_id",
        Sku => "sku",
        Description => "description",
        Quantity => "quantity",
        Uom => "uom",
        /// Product tracking mode: `none`, `lot` or `serial`.
        Tracking => "tracking",
        ReservedLots => "reserved_lots",
    }
}

/// Field names an order layout may use in `field`.
pub const ORDER_FIELDS: &[&str] = Field::NAMES;

/// Fields that make a record an order line when any of them has a value.
const LINE_FIELDS: [Field; 9] = [
    Field::LineNo,
    Field::MoveId,
    Field::ProductId,
    Field::Sku,
    Field::Description,
    Field::Quantity,
    Field::Uom,
    Field::Tracking,
    Field::ReservedLots,
];

fn checked_plan(layout: &Layout) -> Result<Plan<'_, Field>, FormatError> {
    let plan = Plan::<Field>::new(layout)?;
    plan.require_field(Field::PickingName, "picking_name")?;
    if plan.has_field(Field::Sku) {
        plan.require_field(Field::Quantity, "quantity")?;
    }
    Ok(plan)
}

fn empty_order(picking_name: String) -> OrderRelease {
    OrderRelease {
        picking_id: 0,
        picking_name,
        order_name: String::new(),
        customer_ref: String::new(),
        warehouse: String::new(),
        customer: String::new(),
        customer_tags: Vec::new(),
        credit_hold: false,
        ship_to: Address::default(),
        carrier: String::new(),
        scheduled_date: String::new(),
        write_date: String::new(),
        lines: Vec::new(),
    }
}

fn empty_line() -> OrderLine {
    OrderLine {
        line_no: 0,
        move_id: 0,
        product_id: 0,
        sku: String::new(),
        description: String::new(),
        quantity: rust_decimal::Decimal::ZERO,
        uom: String::new(),
        tracking: String::new(),
        reserved_lots: Vec::new(),
    }
}

/// Decodes an order file with `layout`.
pub fn decode_orders(layout: &Layout, bytes: &[u8]) -> Result<Vec<OrderRelease>, FormatError> {
    let plan = checked_plan(layout)?;
    let text = text::decode(layout.encoding, bytes)?;
    let mut reader = TableReader::new(&plan, &text)?;

    let mut orders: Vec<OrderRelease> = Vec::new();
    let mut index_by_name: HashMap<String, usize> = HashMap::new();
    while reader.advance()? {
        let (order, line) = read_record(&plan, &reader)?;
        let index = match index_by_name.get(&order.picking_name) {
            Some(index) => *index,
            None => {
                index_by_name.insert(order.picking_name.clone(), orders.len());
                orders.push(order);
                orders.len() - 1
            }
        };

        if let Some(mut line) = line {
            let order = &mut orders[index];
            if line.line_no == 0 {
                line.line_no = u32::try_from(order.lines.len() + 1).unwrap_or(u32::MAX);
            }
            order.lines.push(line);
        }
    }
    Ok(orders)
}

fn read_record(
    plan: &Plan<'_, Field>,
    reader: &TableReader<'_, '_, '_, Field>,
) -> Result<(OrderRelease, Option<OrderLine>), FormatError> {
    let mut order = empty_order(String::new());
    let mut line = empty_line();
    let mut has_line = false;
    let mut has_quantity = false;
    let mut name_column = 0;

    for (index, column) in plan.columns.iter().enumerate() {
        let Some(field) = column.field else { continue };
        if field == Field::PickingName {
            name_column = index;
        }
        let Some(cell) = reader.value(index) else {
            continue;
        };
        let text = cell.text.as_ref();
        let owned = || text.to_owned();
        let invalid = |problem: String| reader.invalid(index, text, problem);
        has_line |= LINE_FIELDS.contains(&field);

        match field {
            Field::PickingId => order.picking_id = values::parse_integer(text).map_err(invalid)?,
            Field::PickingName => order.picking_name = owned(),
            Field::OrderName => order.order_name = owned(),
            Field::CustomerRef => order.customer_ref = owned(),
            Field::Warehouse => order.warehouse = owned(),
            Field::Customer => order.customer = owned(),
            Field::CustomerTags => push_list(column, text, &mut order.customer_tags),
            Field::ShipToName => order.ship_to.name = owned(),
            Field::ShipToStreet => order.ship_to.street = owned(),
            Field::ShipToStreet2 => order.ship_to.street2 = owned(),
            Field::ShipToZip => order.ship_to.zip = owned(),
            Field::ShipToCity => order.ship_to.city = owned(),
            Field::ShipToState => order.ship_to.state = owned(),
            Field::ShipToCountryCode => order.ship_to.country_code = owned(),
            Field::ShipToPhone => order.ship_to.phone = owned(),
            Field::ShipToEmail => order.ship_to.email = owned(),
            Field::Carrier => order.carrier = owned(),
            Field::ScheduledDate | Field::WriteDate => {
                let instant =
                    values::instant_from_file(text, plan.datetime_format(column), &plan.time_zone)
                        .map_err(invalid)?;
                let odoo = values::instant_to_odoo(instant);
                if field == Field::ScheduledDate {
                    order.scheduled_date = odoo;
                } else {
                    order.write_date = odoo;
                }
            }
            Field::LineNo => line.line_no = values::parse_integer(text).map_err(invalid)?,
            Field::MoveId => line.move_id = values::parse_integer(text).map_err(invalid)?,
            Field::ProductId => line.product_id = values::parse_integer(text).map_err(invalid)?,
            Field::Sku => line.sku = owned(),
            Field::Description => line.description = owned(),
            Field::Quantity => {
                line.quantity =
                    values::parse_decimal(text, plan.decimal_separator).map_err(invalid)?;
                has_quantity = true;
            }
            Field::Uom => line.uom = owned(),
            Field::Tracking => line.tracking = owned(),
            Field::ReservedLots => push_list(column, text, &mut line.reserved_lots),
        }
    }

    if order.picking_name.is_empty() {
        return Err(reader.missing(name_column));
    }
    if has_line && !has_quantity && plan.has_field(Field::Quantity) {
        let quantity_column = plan
            .columns
            .iter()
            .position(|column| column.field == Some(Field::Quantity))
            .unwrap_or(0);
        return Err(reader.missing(quantity_column));
    }
    Ok((order, has_line.then_some(line)))
}

/// Encodes orders with `layout`, one record per order line.
///
/// The output depends only on the input and the layout, so a re-delivered
/// order file has the same bytes as the first delivery.
pub fn encode_orders(layout: &Layout, orders: &[OrderRelease]) -> Result<Vec<u8>, FormatError> {
    let plan = checked_plan(layout)?;
    let mut writer = TableWriter::new(&plan)?;

    for order in orders {
        if order.lines.is_empty() {
            writer.write_row(false, |column| write_value(&plan, column, order, None))?;
        }
        for line in &order.lines {
            writer.write_row(false, |column| {
                write_value(&plan, column, order, Some(line))
            })?;
        }
    }
    writer.finish()
}

fn write_value(
    plan: &Plan<'_, Field>,
    column: &PlannedColumn<'_, Field>,
    order: &OrderRelease,
    line: Option<&OrderLine>,
) -> Result<String, FormatError> {
    let Some(field) = column.field else {
        return Ok(String::new());
    };
    let field_name = column.spec.field.as_deref().unwrap_or_default();

    if LINE_FIELDS.contains(&field) {
        let Some(line) = line else {
            return Ok(String::new());
        };
        let text = match field {
            Field::LineNo => line.line_no.to_string(),
            Field::MoveId => line.move_id.to_string(),
            Field::ProductId => line.product_id.to_string(),
            Field::Sku => line.sku.clone(),
            Field::Description => line.description.clone(),
            Field::Quantity => values::format_decimal(line.quantity, plan.decimal_separator),
            Field::Uom => line.uom.clone(),
            Field::Tracking => line.tracking.clone(),
            _ => join_list(column, field_name, list_share(column, &line.reserved_lots))?,
        };
        return Ok(text);
    }

    let address = &order.ship_to;
    let text = match field {
        Field::PickingId => order.picking_id.to_string(),
        Field::PickingName => order.picking_name.clone(),
        Field::OrderName => order.order_name.clone(),
        Field::CustomerRef => order.customer_ref.clone(),
        Field::Warehouse => order.warehouse.clone(),
        Field::Customer => order.customer.clone(),
        Field::CustomerTags => {
            join_list(column, field_name, list_share(column, &order.customer_tags))?
        }
        Field::ShipToName => address.name.clone(),
        Field::ShipToStreet => address.street.clone(),
        Field::ShipToStreet2 => address.street2.clone(),
        Field::ShipToZip => address.zip.clone(),
        Field::ShipToCity => address.city.clone(),
        Field::ShipToState => address.state.clone(),
        Field::ShipToCountryCode => address.country_code.clone(),
        Field::ShipToPhone => address.phone.clone(),
        Field::ShipToEmail => address.email.clone(),
        Field::Carrier => order.carrier.clone(),
        Field::ScheduledDate | Field::WriteDate => {
            let odoo = if field == Field::ScheduledDate {
                &order.scheduled_date
            } else {
                &order.write_date
            };
            if odoo.is_empty() {
                return Ok(String::new());
            }
            let unwritable = |problem: String| FormatError::Unwritable {
                field: field_name.to_owned(),
                value: odoo.clone(),
                problem,
            };
            let instant = values::instant_from_odoo(odoo).map_err(unwritable)?;
            values::instant_to_file(instant, plan.datetime_format(column), &plan.time_zone)
                .map_err(unwritable)?
        }
        // Line fields returned above.
        _ => String::new(),
    };
    Ok(text)
}
